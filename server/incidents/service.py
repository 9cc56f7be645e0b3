"""Incident rules: built from a report (with or without a visit), kept apart from narratives."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy.orm import Session

from ..attachments import service as attachments
from .models import AFFECTED, Incident, IncidentSensitive

_NS = uuid.UUID("0b7c7f0e-4c1a-4b8e-9a57-3f1f7c2d9e61")


def incident_id_for(visit_id: uuid.UUID, index: int) -> uuid.UUID:
    """The n-th incident of a visit keeps its id across edits of the visit."""
    return uuid.uuid5(_NS, f"{visit_id}/{index}")


def _location(data: dict, facility) -> tuple:
    """Exact position when given; otherwise the facility's location (precision says how far)."""
    if data.get("position") is not None:
        return data["position"]
    return from_shape(to_shape(facility.location), srid=4326)


def upsert_for_visit(session: Session, visit, facility, incidents: list[dict], *,
                     demo: bool = False) -> list[Incident]:
    """Create or update the incidents of a visit; ones dropped by an edit are retracted."""
    now = datetime.now(timezone.utc)
    kept = []
    for index, data in enumerate(incidents):
        incident_id = incident_id_for(visit.id, index)
        incident = session.get(Incident, incident_id)
        if incident is None:
            incident = Incident(id=incident_id, visit_id=visit.id, demo=demo)
            session.add(incident)
        elif incident.retracted_at is not None:
            incident.retracted_at = incident.retracted_reason = None
        _apply(incident, data, visit.organisation_id, visit.monitor_id, facility)
        incident.updated_at = now
        session.flush()
        _set_narrative(session, incident.id, data.get("narrative"))
        attachments.expect(session, data.get("photos", []), incident_id=incident.id, demo=demo)
        kept.append(incident)
    for stale in session.query(Incident).filter(
            Incident.visit_id == visit.id, Incident.retracted_at.is_(None),
            Incident.id.notin_([i.id for i in kept] or [uuid.uuid4()])):
        stale.retracted_at, stale.retracted_reason = now, "removed when the visit was edited"
        stale.updated_at = now
    return kept


def _apply(incident: Incident, data: dict, organisation_id, monitor_id, facility) -> None:
    if facility is None and data.get("position") is None:
        from ..core.errors import ValidationFailed
        raise ValidationFailed.field("position", "Give a position or a facility.")
    affected = data.get("affected", {})
    incident.organisation_id, incident.monitor_id = organisation_id, monitor_id
    incident.facility_id = facility.id if facility is not None else None
    incident.type, incident.occurred_on = data["type"], data["occurred_on"]
    incident.date_precision = data.get("date_precision", "exact")
    incident.location = _location(data, facility)
    incident.location_precision = data["location_precision"]
    incident.country = facility.country if facility is not None else data.get("country")
    incident.admin1 = facility.admin1 if facility is not None else data.get("admin1")
    for group in AFFECTED:
        setattr(incident, f"affected_{group}", affected.get(group, 0) or 0)
    incident.profiles = {k: v for k, v in data.get("profiles", {}).items() if v}
    incident.perpetrator, incident.source_type = data.get("perpetrator"), data.get("source_type")
    incident.consent = data.get("consent", "internal_only")
    incident.severity, incident.follow_up = data["severity"], data.get("follow_up", False)


def _set_narrative(session: Session, incident_id: uuid.UUID, narrative: str | None) -> None:
    row = session.get(IncidentSensitive, incident_id)
    if row is None:
        session.add(IncidentSensitive(incident_id=incident_id, narrative=narrative))
    else:
        row.narrative = narrative


def create_standalone(data: dict, principal, *, facility=None, demo: bool = False) -> Incident:
    """An incident reported on its own (not during a visit). Idempotent by the client's id."""
    from ..core import audit
    from ..core.db import db
    from ..core.errors import Conflict
    session = db.session
    existing = session.get(Incident, data["id"])
    if existing is not None:
        if existing.organisation_id != principal.organisation_id or existing.visit_id:
            raise Conflict(f"Incident {data['id']} already exists.")
        return existing
    incident = Incident(id=data["id"], demo=demo)
    session.add(incident)
    _apply(incident, data, principal.organisation_id, principal.user_id, facility)
    session.flush()
    _set_narrative(session, incident.id, data.get("narrative"))
    attachments.expect(session, data.get("photos", []), incident_id=incident.id, demo=demo)
    audit.record(session, "incident.submit", principal, target_type="incident",
                 target_id=incident.id, details={"type": incident.type})
    session.commit()
    return incident
