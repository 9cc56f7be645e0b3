"""Receiving a visit report: one function for every door (OpenRosa, JSON API, mobile app).

Idempotent by instance id: the same body again is a retry (new attachments are added), a
different body under the same id is a conflict, and `deprecated_id` makes a new version of the
visit while the old submission record is kept as history. One transaction, audited.
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import current_app
from geoalchemy2.shape import to_shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from ..attachments import service as attachments
from ..core import audit
from ..core.access import Principal
from ..core.db import db
from ..core.errors import Conflict, NotFound, ValidationFailed, describe
from ..facilities.models import Facility
from ..incidents import service as incidents
from ..scoring import observation_errors, score_visit
from .models import HELD, SubmissionRecord, Visit, VisitSensitive


@dataclass
class SubmitResult:
    visit_id: uuid.UUID
    created: bool
    version: int
    stored_files: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)


def submit(report: dict, principal: Principal, *, instance_id: str, source: str, body: bytes,
           files: dict[str, bytes] | None = None, complete: bool = True,
           keep_body: bool = True, demo: bool = False) -> SubmitResult:
    session = db.session
    files = files or {}
    # Concurrent uploads of one instance queue here, so exactly one of them creates it.
    session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:i, 0))"),
                    {"i": instance_id})
    digest = hashlib.sha256(body).hexdigest()
    record = session.get(SubmissionRecord, instance_id)
    if record is not None:
        return _retry(session, record, digest, principal, files, complete)

    deprecated = str(report["deprecated_id"]) if report.get("deprecated_id") else None
    if deprecated:
        visit, version = _edit_target(session, deprecated, instance_id, principal, source)
    else:
        if session.get(Visit, report["id"]) is not None:
            raise Conflict(f"A visit with id {report['id']} already exists.")
        visit, version = Visit(id=report["id"], version=1, demo=demo), 1
    facility = _facility(session, report["facility_id"])
    _apply(session, visit, report, facility, principal, source)
    visit.version = version
    session.add(visit)
    session.flush()
    _set_notes(session, visit.id, report.get("notes"))
    incidents.upsert_for_visit(session, visit, facility, report.get("incidents", []), demo=demo)
    attachments.expect(session, report.get("photos", []), visit_id=visit.id, demo=demo)
    session.flush()
    stored = attachments.receive(session, visit.id, files)
    session.add(SubmissionRecord(instance_id=instance_id, visit_id=visit.id, version=version,
                                 body_sha256=digest, body=body if keep_body else None,
                                 source=source, deprecated_id=deprecated, complete=complete))
    audit.record(session, "visit.edit" if deprecated else "visit.submit", principal,
                 target_type="visit", target_id=visit.id,
                 details={"source": source, "version": version, "instance_id": instance_id,
                          "incidents": len(report.get("incidents", [])), "photos": len(stored)})
    missing = sorted(attachments.pending(session, visit.id))
    session.commit()
    return SubmitResult(visit.id, True, version, stored, missing)


def _retry(session: Session, record: SubmissionRecord, digest: str, principal: Principal,
           files: dict, complete: bool) -> SubmitResult:
    visit = session.get(Visit, record.visit_id)
    if visit.organisation_id != principal.organisation_id:
        raise Conflict(f"Instance {record.instance_id} belongs to another organisation.")
    if record.body_sha256 != digest:
        raise Conflict(f"Instance {record.instance_id} was already received with different "
                       "content. To change a report, send an edit (deprecatedID).")
    stored = attachments.receive(session, visit.id, files)
    if complete and not record.complete:
        record.complete = True
    if stored:
        audit.record(session, "visit.attachments", principal, target_type="visit",
                     target_id=visit.id, details={"files": stored})
    missing = sorted(attachments.pending(session, visit.id))
    session.commit()
    return SubmitResult(visit.id, False, record.version, stored, missing)


def _edit_target(session: Session, deprecated: str, instance_id: str, principal: Principal,
                 source: str) -> tuple[Visit, int]:
    old = session.get(SubmissionRecord, deprecated)
    if old is None:
        raise NotFound(f"Cannot edit {deprecated}: no such submission.")
    visit = session.get(Visit, old.visit_id)
    if visit.organisation_id != principal.organisation_id:
        raise NotFound(f"Cannot edit {deprecated}: no such submission.")
    if old.superseded_by:
        raise Conflict(f"{deprecated} was already edited (by {old.superseded_by}); edit the "
                       "latest version.")
    old.superseded_by = instance_id
    return visit, visit.version + 1


def _facility(session: Session, facility_id) -> Facility:
    facility = session.get(Facility, facility_id)
    if facility is None:
        raise ValidationFailed.field("facility_id", f"Unknown facility {facility_id}.")
    return facility


def _apply(session: Session, visit: Visit, report: dict, facility: Facility,
           principal: Principal, source: str) -> None:
    now = datetime.now(timezone.utc)
    visit.facility_id, visit.organisation_id = facility.id, principal.organisation_id
    visit.monitor_id = principal.user_id
    visit.device_token_id = principal.credential_id if principal.kind == "device" else None
    visit.source, visit.form_id, visit.form_version = (source, report.get("form_id"),
                                                       report.get("form_version"))
    visit.started_at, visit.ended_at = report["started_at"], report["ended_at"]
    visit.position = report.get("position")
    visit.position_accuracy_m = report.get("position_accuracy_m")
    visit.access, visit.access_denied_reason = report["access"], report.get("access_denied_reason")
    held = report.get("held", {})
    for group in HELD:
        setattr(visit, f"held_{group}", held.get(group))
    visit.room_area_m2 = report.get("room_area_m2")
    visit.observations = report.get("observations", {})
    visit.distance_m = _distance_m(session, visit, facility)
    visit.flags = review_flags(visit, facility, now)
    result = _score(visit, facility)
    visit.scores, visit.grade = result, result.get("grade")
    visit.review_status, visit.updated_at = "submitted", now


def _score(visit: Visit, facility: Facility) -> dict:
    errors = observation_errors(visit.observations)
    if errors:
        raise ValidationFailed("observations: " + describe(errors), {"observations": errors})
    try:
        return score_visit(visit.observations, facility.kind, facility.capacity,
                           visit.headcounts(), visit.room_area_m2, visit.access)
    except ValueError as exc:
        raise ValidationFailed.field("observations", str(exc))


def _distance_m(session: Session, visit: Visit, facility: Facility) -> float | None:
    if visit.position is None:
        return None
    point = to_shape(visit.position)
    return session.execute(text(
        "SELECT ST_Distance(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, "
        "location::geography) FROM facilities WHERE id = :id"),
        {"lon": point.x, "lat": point.y, "id": facility.id}).scalar()


def review_flags(visit: Visit, facility: Facility, now: datetime) -> list[dict]:
    """Checks that flag a report for the reviewer; none of them rejects it."""
    cfg = current_app.config
    flags = []
    if visit.position is None:
        flags.append({"code": "no_position", "reason": "The report has no GPS position."})
    elif visit.distance_m is not None and visit.distance_m > cfg["FAR_FROM_FACILITY_M"]:
        flags.append({"code": "far_from_facility",
                      "reason": f"Device was {visit.distance_m / 1000:.1f} km from "
                                f"{facility.name} (limit {cfg['FAR_FROM_FACILITY_M'] / 1000:g} km)."})
    if visit.position_accuracy_m is not None and visit.position_accuracy_m > cfg["POOR_ACCURACY_M"]:
        flags.append({"code": "poor_accuracy",
                      "reason": f"GPS accuracy {visit.position_accuracy_m:.0f} m is worse than "
                                f"{cfg['POOR_ACCURACY_M']} m."})
    hours = (now - visit.ended_at).total_seconds() / 3600
    if hours > cfg["LATE_SUBMISSION_HOURS"]:
        flags.append({"code": "late_submission",
                      "reason": f"Submitted {hours:.0f} h after the visit ended "
                                f"(more than {cfg['LATE_SUBMISSION_HOURS']} h)."})
    if facility.status == "closed":
        flags.append({"code": "facility_closed", "reason": f"{facility.name} is marked closed."})
    return flags


def _set_notes(session: Session, visit_id: uuid.UUID, notes: str | None) -> None:
    row = session.get(VisitSensitive, visit_id)
    if row is None:
        session.add(VisitSensitive(visit_id=visit_id, notes=notes))
    else:
        row.notes = notes


def add_photo(visit_id: uuid.UUID, filename: str, data: bytes, principal: Principal) -> bool:
    """A photo named by an already submitted report (JSON API). True if stored now."""
    session = db.session
    visit = session.get(Visit, visit_id)
    if visit is None or visit.organisation_id != principal.organisation_id or \
            visit.monitor_id != principal.user_id:
        raise NotFound(f"No submission {visit_id} of yours.")
    waiting = attachments.pending(session, visit_id)
    if filename not in waiting:
        known = {a["filename"] for a in _attachment_names(session, visit_id)}
        if filename in known:
            return False  # already received: a retry
        raise ValidationFailed.field("filename", f"{filename!r} is not named by this report.")
    stored = attachments.receive(session, visit_id, {filename: data})
    audit.record(session, "visit.attachments", principal, target_type="visit",
                 target_id=visit_id, details={"files": stored})
    session.commit()
    return bool(stored)


def _attachment_names(session: Session, visit_id: uuid.UUID) -> list[dict]:
    from .queries import attachments_of
    return attachments_of(session, visit_id=visit_id) + [
        a for i in session.execute(text("SELECT id FROM incidents WHERE visit_id = :v"),
                                   {"v": visit_id}).scalars()
        for a in attachments_of(session, incident_id=i)]
