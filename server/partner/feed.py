"""The incremental incident feed: keyset pages over (updated_at, id), tombstones, sync tokens.

A sync is a pass over the pages a `next` link leads through. Every page of a pass is evaluated
as of the same moment (`asof`, carried in the signed cursor, so a client can never move the
embargo's "now"; a pass starts at the server's sync point); the last page hands out `asof` as the
`updated_since` of the next sync. `asof` is never later than the start of a transaction still
running, so a change committed after a pass but stamped before its end is not lost.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core.access import Principal
from ..core.pagination import Keyset
from . import queries, sharing
from .schemas import filters_from

SYNC_POINT = text("""
    SELECT least(clock_timestamp(), greatest(clock_timestamp() - interval '10 minutes',
                 coalesce(min(xact_start), clock_timestamp())))
    FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
""")


@dataclass
class Page:
    features: str  # comma-separated GeoJSON features and tombstones
    count: int
    tombstones: int
    next_cursor: str | None
    asof: datetime
    policy_version: int


def sync_point(session: Session) -> datetime:
    """Now, or the start of the oldest transaction still writing (at most ten minutes back)."""
    return session.execute(SYNC_POINT).scalar_one()


PAGES = Keyset("partner.feed", "datetime", "datetime", "uuid")  # asof, then the row's keyset


def read(session: Session, principal: Principal, args: dict) -> Page:
    """One page of the feed for this partner, under its policy."""
    if args.get("cursor"):
        asof, *keyset = PAGES.read(args["cursor"], principal)
        after = tuple(keyset)
    else:
        asof, after = sync_point(session), None
    policy, shared = sharing.shared_now(session, principal.organisation_id, asof)
    filters, limit = filters_from(args), args["limit"]
    since = args.get("updated_since")
    if since is None:  # a first sync: what is shareable now, nothing to delete
        page = queries.page(session, shared, filters, after, limit)
    else:
        page = queries.changes(session, shared, filters, since, after, limit)
    next_cursor = None
    if page.last:
        next_cursor = PAGES.token((asof, *page.last), principal)
    return Page(features=page.features, count=page.count, tombstones=page.tombstones,
                next_cursor=next_cursor, asof=asof, policy_version=policy.version)
