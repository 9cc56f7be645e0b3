"""Read queries for incidents."""
from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session

INCIDENT_FIELDS = """
  i.id, i.visit_id, i.organisation_id, i.monitor_id, i.facility_id, f.name AS facility_name,
  i.type, i.occurred_on, i.date_precision, ST_AsGeoJSON(i.location, 6)::json AS position,
  i.location_precision, i.country, i.admin1,
  json_build_object('women', i.affected_women, 'men', i.affected_men, 'girls', i.affected_girls,
                    'boys', i.affected_boys, 'unaccompanied', i.affected_unaccompanied,
                    'total', i.affected_total) AS affected,
  i.profiles, i.perpetrator, i.source_type, i.consent, i.severity, i.follow_up,
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
