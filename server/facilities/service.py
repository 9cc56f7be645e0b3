"""Facility registry rules: create, update, close. One transaction each, audited."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from ..core import audit
from ..core.access import Principal
from ..core.db import db
from ..core.errors import Conflict, NotFound
from .models import LOCAL_NAMES, Facility


def _apply(facility: Facility, data: dict) -> None:
    names = data.pop("local_names", None)
    if names is not None:
        for code, column in LOCAL_NAMES.items():
            setattr(facility, column, names.get(code))
    for key, value in data.items():
        setattr(facility, key, value)


def get(facility_id: uuid.UUID) -> Facility:
    facility = db.session.get(Facility, facility_id)
    if facility is None:
        raise NotFound(f"No facility {facility_id}.")
    return facility


def create(data: dict, principal: Principal, *, demo: bool = False,
           facility_id: uuid.UUID | None = None) -> Facility:
    session = db.session
    facility = Facility(id=facility_id or uuid.uuid4(), demo=demo, status="open")
    _apply(facility, dict(data))
    session.add(facility)
    session.flush()
    audit.record(session, "facility.create", principal, target_type="facility",
                 target_id=facility.id, details={"name": facility.name, "kind": facility.kind})
    session.commit()
    return facility


def update(facility_id: uuid.UUID, data: dict, principal: Principal) -> Facility:
    session = db.session
    facility = get(facility_id)
    _apply(facility, dict(data))
    facility.updated_at = datetime.now(timezone.utc)
    audit.record(session, "facility.update", principal, target_type="facility",
                 target_id=facility.id, details={"fields": sorted(data)})
    session.commit()
    return facility


def close(facility_id: uuid.UUID, reason: str, principal: Principal) -> Facility:
    session = db.session
    facility = get(facility_id)
    if facility.status == "closed":
        raise Conflict(f"Facility {facility.name} is already closed.")
    facility.status, facility.closed_reason = "closed", reason
    facility.updated_at = datetime.now(timezone.utc)
    audit.record(session, "facility.close", principal, target_type="facility",
                 target_id=facility.id, details={"reason": reason})
    session.commit()
    return facility
