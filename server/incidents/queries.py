"""Read queries for incidents."""
from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core.pagination import equal_to, newest_first_after

INCIDENT_FIELDS = """
  i.id, i.visit_id, i.organisation_id, i.monitor_id, i.facility_id, f.name AS facility_name,
  i.type, i.occurred_on, i.date_precision, ST_AsGeoJSON(i.location, 6)::json AS position,
  i.location_precision, i.country, i.admin1,
  json_build_object('women', i.affected_women, 'men', i.affected_men, 'girls', i.affected_girls,
                    'boys', i.affected_boys, 'unaccompanied', i.affected_unaccompanied,
                    'total', i.affected_total) AS affected,
  i.profiles, i.perpetrator, i.state_responsible, i.source_type, i.consent, i.severity, i.follow_up,
  i.verification_status, i.review_comment, i.duplicate_of, i.flags, i.retracted_at,
  i.created_at, i.updated_at
"""


def get_incident(session: Session, incident_id: uuid.UUID) -> dict | None:
    row = session.execute(text(f"""
        SELECT {INCIDENT_FIELDS} FROM incidents i LEFT JOIN facilities f ON f.id = i.facility_id
        WHERE i.id = :id"""), {"id": incident_id}).first()
    return dict(row._mapping) if row else None


def narrative_of(session: Session, incident_id: uuid.UUID) -> str | None:
    return session.execute(text(
        "SELECT narrative FROM incident_sensitive WHERE incident_id = :id"),
        {"id": incident_id}).scalar()


# The review queue's view of an incident: no narrative, profiles or monitor (those are read one
# at a time through GET /api/incidents/<id>, which audits the read), plus the flags of the visit
# it came with (far from the facility, poor accuracy...).
LIST_FIELDS = """
  i.id, i.visit_id, i.facility_id, f.name AS facility_name, i.type, i.occurred_on,
  i.date_precision, ST_AsGeoJSON(i.location, 6)::json AS position, i.location_precision,
  i.country, i.admin1,
  json_build_object('women', i.affected_women, 'men', i.affected_men, 'girls', i.affected_girls,
                    'boys', i.affected_boys, 'unaccompanied', i.affected_unaccompanied,
                    'total', i.affected_total) AS affected,
  i.severity, i.follow_up, i.verification_status, i.review_comment, i.flags,
  coalesce(v.flags, '[]'::jsonb) AS visit_flags, i.created_at, i.updated_at
"""


def list_incidents(session: Session, *, organisation_id: uuid.UUID, monitor_id=None,
                   facility_id=None, verification_status=None, after=None,
                   limit=50) -> list[dict]:
    """Incidents of one organisation (or one monitor), newest report first, without merged
    duplicates or retracted ones; served by ix_incidents_org_status."""
    where, params = equal_to("i", organisation_id=organisation_id, monitor_id=monitor_id,
                             facility_id=facility_id, verification_status=verification_status)
    keyset, cursor = newest_first_after("i", "created_at", after)
    where += ["i.retracted_at IS NULL", "i.duplicate_of IS NULL", *keyset]
    params.update(cursor, limit=limit)
    rows = session.execute(text(f"""
        SELECT {LIST_FIELDS}
        FROM incidents i LEFT JOIN facilities f ON f.id = i.facility_id
             LEFT JOIN visits v ON v.id = i.visit_id
        WHERE {' AND '.join(where)} ORDER BY i.created_at DESC, i.id DESC LIMIT :limit"""),
        params)
    return [dict(row._mapping) for row in rows]


def count_waiting(session: Session, organisation_id, status: str, facility_id=None,
                  cap: int = 1000) -> int:
    """How many of the organisation's incidents wait with `status` (counted up to `cap`;
    merged duplicates are not counted)."""
    return session.execute(text("""
        SELECT count(*) FROM (SELECT 1 FROM incidents WHERE organisation_id = :o
            AND verification_status = :s AND retracted_at IS NULL AND duplicate_of IS NULL
            AND (CAST(:f AS uuid) IS NULL OR facility_id = CAST(:f AS uuid)) LIMIT :cap) w"""),
        {"o": organisation_id, "s": status, "f": facility_id, "cap": cap}).scalar()
