"""Sharing policies (set by admins) and the audit entry of every partner call."""
from __future__ import annotations

import uuid

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from ..accounts.models import Organisation
from ..core import audit
from ..core.access import Principal
from ..core.db import db
from ..core.errors import NotFound, ValidationFailed
from . import policy as policy_module
from . import queries
from .models import SharingPolicy
from .policy import Policy

POLICY_FIELDS = ("incident_types", "statuses", "location_precision", "grid_km",
                 "sensitive_types", "sensitive_precision", "small_count_k", "embargo_days",
                 "countries", "withheld_fields", "note")
MAX_AUDITED_VALUE = 500


def _partner(organisation_id: uuid.UUID) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(f"No organisation {organisation_id}.")
    if organisation.kind != "partner":
        raise ValidationFailed.field("organisation_id", "Sharing policies are for partner "
                                     "organisations only.")
    return organisation


def get_policy(organisation_id: uuid.UUID) -> Policy:
    _partner(organisation_id)
    return policy_module.load(db.session, organisation_id)


def holders(incident_id: uuid.UUID, *, after=None, limit: int | None = None) -> list[dict]:
    """Which partner organisations hold an incident now (the delivery ledger), by name."""
    return queries.holders(db.session, incident_id, after=after, limit=limit)


def list_policies(*, after=None, limit: int | None = None) -> list[tuple[Organisation, Policy]]:
    """Every partner organisation with its policy, by name; `after`: the last row's
    (name, id) of the previous page."""
    session = db.session
    query = select(Organisation).where(Organisation.kind == "partner")
    if after:
        query = query.where(tuple_(Organisation.name, Organisation.id) > tuple_(*after))
    partners = session.scalars(query.order_by(Organisation.name, Organisation.id)
                               .limit(limit)).all()
    return [(org, policy_module.load(session, org.id)) for org in partners]


def set_policy(organisation_id: uuid.UUID, data: dict, principal: Principal) -> Policy:
    """Replace a partner's policy. Its version and change time move, which makes the partner's
    next incremental sync resend everything (records and tombstones) under the new policy."""
    session = db.session
    _partner(organisation_id)
    before = policy_module.load(session, organisation_id)
    row = session.get(SharingPolicy, organisation_id, with_for_update=True)
    if row is None:
        row = SharingPolicy(organisation_id=organisation_id, version=0)
        session.add(row)
    for name in POLICY_FIELDS:
        value = data.get(name)
        setattr(row, name, sorted(set(value)) if isinstance(value, list) else value)
    row.version = (row.version or 0) + 1
    row.changed_by = principal.user_id
    session.flush()
    session.execute(SharingPolicy.__table__.update()
                    .where(SharingPolicy.organisation_id == organisation_id)
                    .values(changed_at=func.clock_timestamp()))
    after = policy_module.load(session, organisation_id)
    changed = {name: getattr(after, name) for name in POLICY_FIELDS
               if getattr(after, name) != getattr(before, name)}
    audit.record(session, "partner_policy.set", principal, target_type="organisation",
                 target_id=organisation_id,
                 details={"version": after.version, "changed": _jsonable(changed)})
    session.commit()
    return after


def _jsonable(values: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


def record_call(session: Session, principal: Principal, action: str, query: dict, rows: int,
                *, commit: bool = False, **details) -> None:
    """Audit one partner call: which key, what it asked, how many rows it got; with `commit`,
    the entry ends the call's transaction (the delivery ledger's rows commit with it)."""
    query = {k: (v if len(v) <= MAX_AUDITED_VALUE else v[:MAX_AUDITED_VALUE] + "…")
             for k, v in query.items()}
    write = audit.record_and_commit if commit else audit.record
    write(session, action, principal, target_type="partner_key",
          target_id=principal.credential_id,
          details={"key": str(principal.credential_id), "query": query, "rows": rows,
                   **details})


def count_call(session: Session, principal: Principal, per_minute: int, path: str):
    """Count one call of a partner key and commit (the rate limit holds across workers); the
    first allowed call after a burst of refusals audits how many there were."""
    row = queries.count_call(session, principal.credential_id, per_minute)
    if row.reported:  # the burst of refusals that just ended
        record_call(session, principal, "partner.rate_limited", {}, 0, refused=row.reported,
                    path=path, commit=True)
    else:
        session.commit()
    return row
