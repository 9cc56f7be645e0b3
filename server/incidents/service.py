"""Incident rules: built from a report (with or without a visit), kept apart from narratives."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from geoalchemy2.shape import to_shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from ..alerts import service as alerts
from ..attachments import service as attachments
from ..core import audit
from ..core.db import db
from ..core.errors import Conflict, ValidationFailed
from ..core.statuses import REVIEW_STATUSES
from . import store, taxonomy
from .models import AFFECTED, Incident

_NS = uuid.UUID("0b7c7f0e-4c1a-4b8e-9a57-3f1f7c2d9e61")


@dataclass(frozen=True)
class Place:
    """The facility an incident is linked to, and where it is put without a position of its
    own (the location precision says how far that is from where it happened)."""
    facility_id: uuid.UUID
    country: str | None
    admin1: str | None
    lon: float
    lat: float

    @classmethod
    def of(cls, facility) -> "Place":
        point = to_shape(facility.location)
        return cls(facility.id, facility.country, facility.admin1, point.x, point.y)


@dataclass(frozen=True)
class Reported:
    id: uuid.UUID
    created: bool


def incident_id_for(visit_id: uuid.UUID, index: int) -> uuid.UUID:
    """The n-th incident of a visit keeps its id across edits of the visit."""
    return uuid.uuid5(_NS, f"{visit_id}/{index}")


@dataclass
class Saved:
    """What save_for_visit wrote: (incident id, photo names) pairs, and on an edit the
    incidents it returned to review (read with `reopened()` once the statements have run)."""
    photos: list[tuple[uuid.UUID, list[str]]]
    _reopened: object = None

    def reopened(self) -> list[tuple[uuid.UUID, str]]:
        """(incident id, its status before the edit) of each incident the edit reopened."""
        return [tuple(row) for row in self._reopened.fetchall()] if self._reopened else []


def save_for_visit(session: Session, visit: dict, place: Place, incidents: list[dict], *,
                   edit: bool, now: datetime) -> Saved:
    """Create or update the incidents of a visit (ids follow their order in the report); on an
    edit, the ones it dropped are retracted, and those whose content it changes go back to
    `submitted` until a coordinator reviews them again (so no partner receives an unreviewed
    version of a verified incident)."""
    owner = {"visit_id": visit["id"], "organisation_id": visit["organisation_id"],
             "monitor_id": visit["monitor_id"], "demo": visit["demo"]}
    rows = [_row(data, incident_id_for(visit["id"], index), owner, place, now)
            for index, data in enumerate(incidents)]
    reopened = store.reopen_changed(session, rows, now) if edit and rows else None
    store.save(session, rows, overwrite=edit)
    if edit:
        store.retract_others(session, visit["id"], [r["id"] for r in rows], now)
    return Saved([(row["id"], data.get("photos", [])) for row, data in zip(rows, incidents)],
                 reopened)


def _row(data: dict, incident_id: uuid.UUID, owner: dict, place: Place | None,
         now: datetime) -> dict:
    """The incidents row (store.COLUMNS and the rest) for one incident of a report; `owner`
    holds visit_id, organisation_id, monitor_id and demo."""
    if data.get("position") is not None:
        point = to_shape(data["position"])
        lon, lat = point.x, point.y
    elif place is not None:
        lon, lat = place.lon, place.lat
    else:
        raise ValidationFailed.field("position", "Give a position or a facility.")
    affected = data.get("affected", {})
    return {
        "id": incident_id, **owner, "facility_id": place.facility_id if place else None,
        "type": data["type"], "occurred_on": data["occurred_on"],
        "date_precision": data.get("date_precision", "exact"), "lon": lon, "lat": lat,
        "location_precision": data["location_precision"],
        "country": place.country if place else data.get("country"),
        "admin1": place.admin1 if place else data.get("admin1"),
        **{f"affected_{group}": affected.get(group) for group in AFFECTED},  # None: not known
        "profiles": {k: v for k, v in data.get("profiles", {}).items() if v},
        "perpetrator": data.get("perpetrator"),
        "state_responsible": data.get("state_responsible") or taxonomy.default_state(
            place.country if place else data.get("country")),
        "source_type": data.get("source_type"),
        "consent": data.get("consent", "internal_only"), "severity": data["severity"],
        "follow_up": data.get("follow_up", False), "updated_at": now,
        "narrative": data.get("narrative")}


def create_standalone(data: dict, principal, *, facility=None, demo: bool = False) -> Reported:
    """An incident reported on its own (not during a visit). Idempotent by the client's id."""
    session = db.session
    existing = session.execute(text("SELECT organisation_id, visit_id FROM incidents "
                                     "WHERE id = :id"), {"id": data["id"]}).first()
    if existing is not None:
        if existing.organisation_id != principal.organisation_id or existing.visit_id:
            raise Conflict(f"Incident {data['id']} already exists.")
        return Reported(data["id"], created=False)
    place = Place.of(facility) if facility is not None else None
    owner = {"visit_id": None, "organisation_id": principal.organisation_id,
             "monitor_id": principal.user_id, "demo": demo}
    row = _row(data, data["id"], owner, place, datetime.now(timezone.utc))
    store.save(session, [row])
    attachments.add(session, [(None, row["id"], name) for name in data.get("photos", [])],
                    demo=demo)
    alerts.incident_reported(session, row["id"])
    audit.record(session, "incident.submit", principal, target_type="incident",
                 target_id=row["id"], details={"type": row["type"]})
    session.commit()
    return Reported(row["id"], created=True)


# --- review state (decided by review/service.py, which audits and commits) --------------------

def locked_for_review(session: Session, incident_id: uuid.UUID,
                      organisation_id) -> Incident | None:
    """The organisation's incident, locked until the transaction ends (see
    visits.service.locked_for_review)."""
    incident = session.get(Incident, incident_id, with_for_update=True)
    return incident if incident is not None and \
        incident.organisation_id == organisation_id else None


def get(session: Session, incident_id: uuid.UUID) -> Incident | None:
    return session.get(Incident, incident_id)


def set_review_status(incident: Incident, status: str, comment: str | None,
                      now: datetime) -> str:
    """A coordinator's decision on the incident; returns the status it had."""
    if status not in REVIEW_STATUSES:
        raise ValueError(f"not a review status: {status!r}")
    before = incident.verification_status
    incident.verification_status, incident.review_comment = status, comment
    incident.updated_at = now
    return before


def mark_duplicate(incident: Incident, original_id: uuid.UUID, now: datetime) -> None:
    """Counted once from now on: lists and aggregates skip rows with duplicate_of set."""
    incident.duplicate_of, incident.updated_at = original_id, now


def clear_duplicate(incident: Incident, now: datetime) -> uuid.UUID | None:
    """Counted on its own again; returns the incident it was a duplicate of."""
    original_id = incident.duplicate_of
    incident.duplicate_of, incident.updated_at = None, now
    return original_id
