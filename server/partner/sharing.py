"""The public sharing API of the partner package: what an organisation's policy lets it read,
for every adapter that serves partners (the feed, OGC API – Features, webhooks). Each call loads
the organisation's policy and goes through the same SQL (policy.Shared, queries), which also
records what it hands out in the delivery ledger."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import text
from sqlalchemy.orm import Session

from . import policy as policy_module
from . import queries
from .policy import Filters, Policy, Shared


def shared_now(session: Session, organisation_id: uuid.UUID,
               asof: datetime | None = None) -> tuple[Policy, Shared]:
    """The organisation's policy and its SQL as of `asof` (now by default)."""
    policy = policy_module.load(session, organisation_id)
    return policy, Shared(policy, asof or datetime.now(timezone.utc))


def page(session: Session, organisation_id: uuid.UUID, filters: Filters, after, limit: int,
         asof: datetime | None = None) -> tuple[queries.Slice, Policy]:
    """A page of what the organisation may hold now, in (updated_at, id) order."""
    policy, shared = shared_now(session, organisation_id, asof)
    return queries.page(session, shared, filters, after, limit), policy


def one(session: Session, organisation_id: uuid.UUID, incident_id: uuid.UUID) -> str | None:
    """One incident's GeoJSON feature, if the organisation may hold it."""
    _, shared = shared_now(session, organisation_id)
    return queries.one(session, shared, incident_id)


def extent(session: Session) -> tuple | None:
    """Where incidents are, from the planner's estimate (no scan): a box to widen, never a
    place (an OGC collection's extent)."""
    return session.execute(text(
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
        "(SELECT ST_EstimatedExtent('incidents', 'location')::geometry AS e) x")).first()
