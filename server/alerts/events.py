"""The facts an alert is about, read at the facility level: never a narrative, a name, a
coordinate or anyone's identity. What is read here is all a notification or a mail can say."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

_INCIDENT_FACTS = """
    SELECT i.id, i.organisation_id, i.type, i.severity, i.facility_id, i.demo,
           coalesce(f.country, i.country) AS country, coalesce(f.admin1, i.admin1) AS admin1,
           f.name AS facility_name, f.kind AS facility_kind
    FROM incidents i LEFT JOIN facilities f ON f.id = i.facility_id
    WHERE {where} AND i.retracted_at IS NULL AND i.duplicate_of IS NULL
    ORDER BY i.id"""


def incidents_of_visit(session: Session, visit_id) -> list[dict]:
    return [dict(r) for r in session.execute(text(_INCIDENT_FACTS.format(
        where="i.visit_id = :v")), {"v": visit_id}).mappings()]


def incident(session: Session, incident_id) -> list[dict]:
    return [dict(r) for r in session.execute(text(_INCIDENT_FACTS.format(
        where="i.id = :i")), {"i": incident_id}).mappings()]


def visit_access(session: Session, visit_id) -> dict | None:
    """The current version of a visit where access was denied (None otherwise)."""
    row = session.execute(text(
        "SELECT v.id, v.organisation_id, v.facility_id, v.demo, f.country, f.admin1, "
        "f.name AS facility_name, f.kind AS facility_kind FROM visits v "
        "JOIN facilities f ON f.id = v.facility_id WHERE v.id = :v AND v.access = 'denied' "
        "AND v.retracted_at IS NULL"), {"v": visit_id}).mappings().first()
    return dict(row) if row else None


def not_visited(session: Session, days: int, now: datetime) -> list[dict]:
    """Facilities whose last visit (by anyone) ended more than `days` ago, or never visited;
    with the last visit's id, so the gap that follows it alerts once."""
    return [dict(r) for r in session.execute(text(
        "SELECT f.id AS facility_id, f.country, f.admin1, f.name AS facility_name, "
        "f.kind AS facility_kind, last.id AS last_visit_id, last.ended_at AS last_visit_at "
        "FROM facilities f LEFT JOIN LATERAL (SELECT v.id, v.ended_at FROM visits v "
        "WHERE v.facility_id = f.id AND v.retracted_at IS NULL ORDER BY v.ended_at DESC "
        "LIMIT 1) last ON true "
        "WHERE coalesce(last.ended_at, f.created_at) < "
        "CAST(:now AS timestamptz) - make_interval(days => :d)"),
        {"d": days, "now": now}).mappings()]


def summary(facts: dict, **more) -> dict:
    """What a notification (and its mail) holds: the facility, its kind and region."""
    return {"facility": facts.get("facility_name"), "facility_kind": facts.get("facility_kind"),
            "country": facts.get("country"), "admin1": facts.get("admin1"), **more}
