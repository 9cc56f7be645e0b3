"""Read queries for visits: lists for the submitter and the reviewer, one visit in detail."""
from __future__ import annotations

import uuid

from psycopg.rows import namedtuple_row
from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core.db import db
from ..core.pagination import equal_to, newest_first_after

VISIT_FIELDS = """
  v.id, v.facility_id, f.name AS facility_name, v.organisation_id, v.source, v.version,
  v.started_at, v.ended_at, v.submitted_at, v.access, v.access_denied_reason,
  ST_AsGeoJSON(v.position, 6)::json AS position, v.position_accuracy_m, v.distance_m,
  json_build_object('women', v.held_women, 'men', v.held_men, 'girls', v.held_girls,
                    'boys', v.held_boys, 'unaccompanied', v.held_unaccompanied) AS held,
  v.room_area_m2, v.observations, v.scores, v.dimensions, v.red_flags,
  v.returnees, v.ring, v.flags, v.review_status,
  v.review_comment, v.monitor_id, v.updated_at,
  (SELECT count(*) FROM incidents i WHERE i.visit_id = v.id AND i.retracted_at IS NULL)
      AS incident_count
"""


def list_visits(session: Session, *, organisation_id: uuid.UUID, monitor_id=None,
                facility_id=None, review_status=None, after=None, limit=50) -> list[dict]:
    where, params = equal_to("v", organisation_id=organisation_id, monitor_id=monitor_id,
                             facility_id=facility_id, review_status=review_status)
    keyset, cursor = newest_first_after("v", "submitted_at", after)
    where += ["v.retracted_at IS NULL", *keyset]
    params.update(cursor, limit=limit)
    rows = session.execute(text(f"""
        SELECT {VISIT_FIELDS} FROM visits v JOIN facilities f ON f.id = v.facility_id
        WHERE {' AND '.join(where)} ORDER BY v.submitted_at DESC, v.id DESC LIMIT :limit"""),
        params)
    return [dict(row._mapping) for row in rows]


def get_visit(session: Session, visit_id: uuid.UUID) -> dict | None:
    row = session.execute(text(f"""
        SELECT {VISIT_FIELDS} FROM visits v JOIN facilities f ON f.id = v.facility_id
        WHERE v.id = :id"""), {"id": visit_id}).first()
    return dict(row._mapping) if row else None


def sensitive_of(session: Session, visit_id: uuid.UUID) -> tuple[str | None, dict | None]:
    """The visit's notes, and the answers of a form published in the browser that no field
    takes (forms.mapping)."""
    row = session.execute(text(
        "SELECT notes, answers FROM visit_sensitive WHERE visit_id = :id"),
        {"id": visit_id}).first()
    return (row.notes, row.answers) if row else (None, None)


def incidents_of(session: Session, visit_id: uuid.UUID) -> list[dict]:
    rows = session.execute(text("""
        SELECT i.id, i.type, i.occurred_on, i.severity, i.verification_status, i.duplicate_of,
               ST_AsGeoJSON(i.location, 6)::json AS position, i.location_precision
        FROM incidents i WHERE i.visit_id = :id AND i.retracted_at IS NULL
        ORDER BY i.id"""), {"id": visit_id})
    return [dict(row._mapping) for row in rows]


def submission_history(session: Session, visit_id: uuid.UUID) -> list[dict]:
    rows = session.execute(text("""
        SELECT instance_id, version, source, deprecated_id, superseded_by, complete, received_at
        FROM submission_records WHERE visit_id = :id ORDER BY version"""), {"id": visit_id})
    return [dict(row._mapping) for row in rows]


def intake(session: Session, instance_id: str, visit_id: uuid.UUID, facility_id: uuid.UUID,
           lon: float | None, lat: float | None):
    """All a submission needs to know, in one round trip: the instance's earlier record (and its
    visit's organisation), whether the visit id is taken, and the facility with the device's
    distance to it (on the geography). Facility columns are NULL for an unknown facility."""
    cursor = db.driver(session).cursor(row_factory=namedtuple_row)
    return cursor.execute("""
        SELECT r.visit_id AS record_visit_id, r.body_sha256, r.complete, r.version,
               rv.organisation_id AS record_organisation_id,
               EXISTS (SELECT 1 FROM visits WHERE id = %(visit)s) AS visit_taken,
               f.id AS facility_id, f.name, f.kind, f.capacity, f.status, f.country, f.admin1,
               ST_X(f.location) AS lon, ST_Y(f.location) AS lat,
               ST_Distance(ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography,
                           f.location::geography) AS distance_m
        FROM (SELECT 1) one
        LEFT JOIN submission_records r ON r.instance_id = %(instance)s
        LEFT JOIN visits rv ON rv.id = r.visit_id
        LEFT JOIN facilities f ON f.id = %(facility)s""",
        {"instance": instance_id, "visit": visit_id, "facility": facility_id, "lon": lon,
         "lat": lat}).fetchone()


def record_of(session: Session, instance_id: str):
    """A submission record with its visit's organisation and monitor (or None)."""
    return session.execute(text("""
        SELECT r.visit_id, r.superseded_by, v.organisation_id, v.monitor_id
        FROM submission_records r JOIN visits v ON v.id = r.visit_id
        WHERE r.instance_id = :i"""), {"i": instance_id}).first()


def owner_of(session: Session, visit_id: uuid.UUID):
    """(organisation_id, monitor_id) of a visit, or None."""
    return session.execute(text("SELECT organisation_id, monitor_id FROM visits WHERE id = :id"),
                           {"id": visit_id}).first()


def previous_visit(session: Session, facility_id, organisation_id, before, visit_id) -> dict | None:
    """The organisation's visit to the same facility just before this one: its ring, dimension
    ratings, red flags, scores and review status, for "what changed since"."""
    row = session.execute(text("""
        SELECT v.id, v.started_at, v.ring, v.dimensions, v.red_flags, v.scores, v.review_status,
               v.access,
               json_build_object('women', v.held_women, 'men', v.held_men,
                                 'girls', v.held_girls, 'boys', v.held_boys,
                                 'unaccompanied', v.held_unaccompanied) AS held
        FROM visits v
        WHERE v.facility_id = :f AND v.organisation_id = :o AND v.started_at < :t
          AND v.id <> :id AND v.retracted_at IS NULL
        ORDER BY v.started_at DESC LIMIT 1"""),
        {"f": facility_id, "o": organisation_id, "t": before, "id": visit_id}).first()
    return dict(row._mapping) if row else None


def facility_position(session: Session, facility_id) -> dict | None:
    return session.execute(text("SELECT ST_AsGeoJSON(location, 6)::json FROM facilities "
                                "WHERE id = :f"), {"f": facility_id}).scalar()


def count_waiting(session: Session, organisation_id, status: str, facility_id=None,
                  cap: int = 1000) -> int:
    """How many of the organisation's visits wait with `status` (counted up to `cap`)."""
    return session.execute(text("""
        SELECT count(*) FROM (SELECT 1 FROM visits WHERE organisation_id = :o
            AND review_status = :s AND retracted_at IS NULL
            AND (CAST(:f AS uuid) IS NULL OR facility_id = CAST(:f AS uuid)) LIMIT :cap) w"""),
        {"o": organisation_id, "s": status, "f": facility_id, "cap": cap}).scalar()
