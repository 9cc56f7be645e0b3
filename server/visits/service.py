"""Receiving a visit report: one function for every door (OpenRosa, JSON API, mobile app).

Idempotent by instance id: the same body again is a retry (new attachments are added), a
different body under the same id is a conflict, and `deprecated_id` makes a new version of the
visit while the old submission record is kept as history. One transaction, audited.

A new report costs a handful of statements in three round trips (psycopg pipelines) after
the one that began the transaction with the token check: the instance lock with the lookup;
the writes for the visit (with its notes and submission record), its incidents and its photos
together; then the audit entry with the COMMIT, so that the audit chain's lock is held only for
the server's time between the two.
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import current_app
from geoalchemy2.shape import to_shape
from sqlalchemy.orm import Session

from ..alerts import service as alerts
from ..assessment import assess_visit
from ..assessment.assess import stored_dimensions
from ..assessment.vocabulary import DIMENSIONS, ring_of
from ..attachments import service as attachments
from ..core import audit
from ..core.access import Principal, may_edit_record
from ..core.db import db
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed, describe
from ..core.statuses import REVIEW_STATUSES, SUBMITTED
from ..forms import catalog, mapping
from ..forms.fields import ASSESSMENT_FORM_VERSION, FORM_ID
from ..history import service as history
from ..incidents import service as incidents
from ..incidents.taxonomy import default_state
from ..scoring import observation_errors, score_visit
from . import queries, store, versions
from .models import HELD, Visit


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
    if report.get("answers"):
        _check_answers(session, report, principal)
    digest = hashlib.sha256(body).hexdigest()
    position = to_shape(report["position"]) if report.get("position") is not None else None
    driver = db.driver(session)
    with driver.pipeline():  # one round trip; still two statements, so two snapshots
        # Concurrent uploads of one instance queue here, so exactly one of them creates it;
        # the intake that follows reads what the one before it committed.
        driver.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (instance_id,))
        found = queries.intake(session, instance_id, report["id"], report["facility_id"],
                               position.x if position else None,
                               position.y if position else None)
    if found.record_visit_id is not None:
        return _retry(session, found, instance_id, digest, principal, files, complete)
    record = {"instance_id": instance_id, "body_sha256": digest,
              "body": body if keep_body else None, "source": source, "complete": complete}
    return _new_version(session, report, found, position, principal, record, files, demo)


def _check_answers(session: Session, report: dict, principal: Principal) -> None:
    """Extra answers only for a form published in the browser, under paths its version keeps."""
    form = catalog.received_version(session, principal, report.get("form_id") or "",
                                    report.get("form_version"))
    if form is None:
        raise ValidationFailed.field("answers", "Only a form published in the browser has "
                                                "answers outside the report's fields.")
    kept = set(form.field_map["extra"])
    unknown = sorted(key for key in report["answers"] if mapping.bare(key) not in kept)
    if unknown:
        raise ValidationFailed.field("answers", f"{form.id} version {form.version} has no "
                                                f"question {', '.join(unknown[:5])}.")


def _new_version(session: Session, report: dict, found, position, principal: Principal,
                 record: dict, files: dict, demo: bool) -> SubmitResult:
    """A new visit, or a new version of one (an edit): written, audited, committed."""
    deprecated = str(report["deprecated_id"]) if report.get("deprecated_id") else None
    if deprecated:
        visit_id, version, monitor_id = _edit_target(session, deprecated, record["instance_id"],
                                                     principal)
    elif found.visit_taken:
        raise Conflict(f"A visit with id {report['id']} already exists.")
    else:
        visit_id, version, monitor_id = report["id"], 1, principal.user_id
    if found.facility_id is None:
        raise ValidationFailed.field("facility_id", f"Unknown facility {report['facility_id']}.")
    now = datetime.now(timezone.utc)
    visit = _visit_row(report, found, position, principal, record["source"], now)
    visit.update(id=visit_id, version=version, demo=demo, monitor_id=monitor_id)
    with db.driver(session).pipeline():  # the writes go out together; the entry and COMMIT next
        store.save(session, visit, report.get("notes"),
                   {**record, "version": version, "deprecated_id": deprecated},
                   new_version=bool(deprecated), answers=report.get("answers"))
        versions.record(session, visit_id, version, versions.answers_of(report))
        place = incidents.Place(found.facility_id, found.country, found.admin1, found.lon,
                                found.lat)
        saved = incidents.save_for_visit(session, visit, place, report.get("incidents", []),
                                         edit=bool(deprecated), now=now)
        wanted = [(visit_id, None, name) for name in report.get("photos", [])] + [
            (None, incident_id, name) for incident_id, names in saved.photos for name in names]
        stored, missing = _attach(session, visit_id, wanted, files, demo,
                                  edit=bool(deprecated))
        if stored:
            _flag_photo_times(session, visit_id)
    details = {"source": record["source"], "version": version,
               "instance_id": record["instance_id"],
               "incidents": len(report.get("incidents", [])), "photos": len(stored)}
    reopened = saved.reopened()
    if deprecated:
        history.reopened_by_edit(session, reopened, principal, version)
        details["reopened"] = [str(incident_id) for incident_id, _ in reopened]
    alerts.visit_changed(session, visit_id)  # the alert job commits with the visit, or not at all
    audit.record_and_commit(session, "visit.edit" if deprecated else "visit.submit", principal,
                            target_type="visit", target_id=visit_id, details=details)
    return SubmitResult(visit_id, True, version, stored, missing)


def _attach(session: Session, visit_id, wanted: list, files: dict, demo: bool, *,
            edit: bool) -> tuple[list[str], list[str]]:
    """Rows for the named files, with the bytes that came along; (stored, still missing).
    A new visit is waiting for exactly what it names; an edit may still wait for files its
    earlier version named."""
    if edit:
        attachments.expect(session, visit_id, wanted, demo=demo)
        stored = attachments.receive(session, visit_id, files)
        return stored, attachments.pending(session, visit_id)
    names = {name for _, _, name in wanted}
    received = attachments.store(attachments.prepare(files, names))
    attachments.add(session, wanted, received=received, demo=demo)
    return sorted(received), sorted(names - set(received))


def _retry(session: Session, found, instance_id: str, digest: str, principal: Principal,
           files: dict, complete: bool) -> SubmitResult:
    if found.record_organisation_id != principal.organisation_id:
        raise Conflict(f"Instance {instance_id} belongs to another organisation.")
    if found.body_sha256 != digest:
        raise Conflict(f"Instance {instance_id} was already received with different "
                       "content. To change a report, send an edit (deprecatedID).")
    visit_id = found.record_visit_id
    stored = attachments.receive(session, visit_id, files)
    if stored:
        _flag_photo_times(session, visit_id)
    if complete and not found.complete:
        store.mark_complete(session, instance_id)
    missing = attachments.pending(session, visit_id)
    if stored:
        audit.record(session, "visit.attachments", principal, target_type="visit",
                     target_id=visit_id, details={"files": stored})
    session.commit()
    return SubmitResult(visit_id, False, found.version, stored, missing)


def _edit_target(session: Session, deprecated: str, instance_id: str,
                 principal: Principal) -> tuple[uuid.UUID, int, uuid.UUID]:
    """The visit an edit makes a new version of, and its monitor (an edit never changes whose
    visit it is); its latest record is marked superseded. Only the monitor who submitted the
    visit or a coordinator of its organisation may edit it (may_edit_record)."""
    coordinator = principal.is_role("coordinator")
    target = store.supersede(session, deprecated, instance_id, principal.organisation_id,
                             principal.user_id, any_monitor=coordinator)
    if target is not None:
        return target.visit_id, target.version + 1, target.monitor_id
    old = queries.record_of(session, deprecated)
    if old is None or old.organisation_id != principal.organisation_id:
        raise NotFound(f"Cannot edit {deprecated}: no such submission.")
    if not may_edit_record(principal, old.organisation_id, old.monitor_id):
        raise Forbidden(f"Cannot edit {deprecated}: only the monitor who submitted this visit, "
                        "or a coordinator of its organisation, may edit it.")
    raise Conflict(f"{deprecated} was already edited (by {old.superseded_by}); edit the "
                   "latest version.")


def _visit_row(report: dict, facility, position, principal: Principal, source: str,
               now: datetime) -> dict:
    """The visits columns (store.COLUMNS and JSON_COLUMNS) for a report, with its flags and
    scores. `facility` is the intake lookup (facility columns and distance_m)."""
    held = report.get("held", {})
    visit = {
        "facility_id": facility.facility_id, "organisation_id": principal.organisation_id,
        "monitor_id": principal.user_id,
        "device_token_id": principal.credential_id if principal.kind == "device" else None,
        "source": source, "form_id": report.get("form_id"),
        "form_version": report.get("form_version"),
        "started_at": report["started_at"], "ended_at": report["ended_at"],
        "lon": position.x if position else None, "lat": position.y if position else None,
        "position_accuracy_m": report.get("position_accuracy_m"),
        "distance_m": facility.distance_m if position else None,
        "access": report["access"], "access_denied_reason": report.get("access_denied_reason"),
        **{f"held_{group}": held.get(group) for group in HELD},
        "room_area_m2": report.get("room_area_m2"),
        "observations": report.get("observations", {}),
        "review_status": SUBMITTED, "updated_at": now}
    visit["flags"] = review_flags(visit, facility, now)
    visit["returnees"] = report.get("returnees", [])
    _assess(visit, facility, report)
    return visit


def _assess(visit: dict, facility, report: dict) -> None:
    """The visit's indicator results, dimensions, red flags and ring (server.assessment)."""
    errors = observation_errors(visit["observations"])
    if errors:
        raise ValidationFailed("observations: " + describe(errors), {"observations": errors})
    earlier = earlier_form(report)
    held = {group: visit[f"held_{group}"] for group in HELD}
    try:
        scores = score_visit(visit["observations"], facility.kind, facility.capacity, held,
                             visit["room_area_m2"], visit["access"], country=facility.country,
                             earlier_form=earlier)
        assessment = assess_visit(
            scores, access=visit["access"], country=facility.country, headcounts=held,
            observations=visit["observations"], monitor=report.get("assessment"),
            incidents=[{**i, "state_responsible": i.get("state_responsible") or
                        default_state(facility.country)} for i in report.get("incidents", [])],
            returnees=visit["returnees"], earlier_form=earlier)
    except ValueError as exc:
        raise ValidationFailed.field("observations", str(exc))
    visit.update(scores=scores, red_flags=assessment["red_flags"], ring=assessment["ring"],
                 dimensions=stored_dimensions(assessment))


def earlier_form(report: dict) -> bool:
    """A report of the visit form before the assessment model (no "don't know" on counts)."""
    version = report.get("form_version")
    return bool(report.get("form_id") == FORM_ID and version and version.isdigit()
                and int(version) < ASSESSMENT_FORM_VERSION)


def review_flags(visit: dict, facility, now: datetime) -> list[dict]:
    """Checks that flag a report for the reviewer; none of them rejects it."""
    cfg = current_app.config
    flags = []
    distance, accuracy = visit["distance_m"], visit["position_accuracy_m"]
    far_km = cfg["FAR_FROM_FACILITY_M"] / 1000
    # The monitor's position is optional (a record of their movements if the phone is seized;
    # the facility's coordinates serve): "far from facility" only when one was given.
    if distance is not None and distance > cfg["FAR_FROM_FACILITY_M"]:
        flags.append({"code": "far_from_facility",
                      "reason": f"Device was {distance / 1000:.1f} km from "
                                f"{facility.name} (limit {far_km:g} km)."})
    if accuracy is not None and accuracy > cfg["POOR_ACCURACY_M"]:
        flags.append({"code": "poor_accuracy",
                      "reason": f"GPS accuracy {accuracy:.0f} m is worse than "
                                f"{cfg['POOR_ACCURACY_M']} m."})
    hours = (now - visit["ended_at"]).total_seconds() / 3600
    if hours > cfg["LATE_SUBMISSION_HOURS"]:
        flags.append({"code": "late_submission",
                      "reason": f"Submitted {hours:.0f} h after the visit ended "
                                f"(more than {cfg['LATE_SUBMISSION_HOURS']} h)."})
    if facility.status == "closed":
        flags.append({"code": "facility_closed", "reason": f"{facility.name} is marked closed."})
    return flags


def add_photo(visit_id: uuid.UUID, filename: str, data: bytes, principal: Principal) -> bool:
    """A photo named by an already submitted report (JSON API). True if stored now."""
    session = db.session
    owner = queries.owner_of(session, visit_id)
    if owner is None or owner.organisation_id != principal.organisation_id or \
            owner.monitor_id != principal.user_id:
        raise NotFound(f"No submission {visit_id} of yours.")
    if filename not in attachments.pending(session, visit_id):
        if attachments.is_named(session, visit_id, filename):
            return False  # already received: a retry
        raise ValidationFailed.field("filename", f"{filename!r} is not named by this report.")
    stored = attachments.receive(session, visit_id, {filename: data})
    if stored:
        _flag_photo_times(session, visit_id)
        audit.record(session, "visit.attachments", principal, target_type="visit",
                     target_id=visit_id, details={"files": stored})
    session.commit()
    return bool(stored)


def _flag_photo_times(session: Session, visit_id: uuid.UUID) -> None:
    store.flag_photo_times(session, visit_id, current_app.config["PHOTO_TIME_TOLERANCE_HOURS"])


# --- review state (decided by review/service.py, which audits and commits) --------------------

def locked_for_review(session: Session, visit_id: uuid.UUID, organisation_id) -> Visit | None:
    """The organisation's visit, locked until the transaction ends: an edit of it waits for a
    review decision (and sends it back to review after); a decision after an edit sees it."""
    visit = session.get(Visit, visit_id, with_for_update=True)
    return visit if visit is not None and visit.organisation_id == organisation_id else None


def set_review_status(visit: Visit, status: str, comment: str | None, now: datetime) -> str:
    """A coordinator's decision on the visit, with the comment the monitor sees; returns the
    status it had."""
    if status not in REVIEW_STATUSES:
        raise ValueError(f"not a review status: {status!r}")
    before = visit.review_status
    visit.review_status, visit.review_comment, visit.updated_at = status, comment, now
    return before


def adjust_dimension(session: Session, visit_id: uuid.UUID, organisation_id, dimension: str,
                     rating: int | None, adjusted: dict, now: datetime) -> dict | None:
    """A coordinator's rating of one dimension (None: insufficient evidence), kept beside what it
    replaced (`adjusted`: from, by, at, reason) and the visit's ring recomputed; returns the
    dimension as stored, or None when the organisation has no such visit."""
    row = store.assessment_for_update(session, visit_id)
    if row is None or row.organisation_id != organisation_id:
        return None
    dimensions = dict(row.dimensions or {})
    entry = dict(dimensions.get(dimension) or {})
    entry.update(rating=rating, insufficient_evidence=rating is None, source="coordinator",
                 adjusted={"from": entry.get("rating"), "from_source": entry.get("source"),
                           **adjusted})
    dimensions[dimension] = entry
    ring = ring_of({name: dimensions.get(name) or {} for name in DIMENSIONS}, row.red_flags)
    store.set_dimensions(session, visit_id, dimensions, ring, now)
    return entry

