"""The facts an alert is about, read at the facility level: never a narrative, a name, a
coordinate or anyone's identity. What is read here is all a notification or a mail can say."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..assessment.queries import COUNTING

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


def visit_findings(session: Session, visit_id) -> tuple[dict | None, list[dict], list[dict]]:
    """(the visit's facts, its red flags, its dimensions rated lower than at the facility's
    last visit that rated them) for a counting visit (not rejected, not retracted); (None, [],
    []) otherwise. The last visit is the latest counting one that started before this one (by
    anyone: the coalition sees every visit's ratings). A red flag says its code, dimension and
    state responsible; never its count or its source."""
    row = session.execute(text(
        "SELECT v.id, v.organisation_id, v.facility_id, v.demo, v.started_at, v.dimensions, "
        "v.red_flags, f.country, f.admin1, f.name AS facility_name, f.kind AS facility_kind "
        "FROM visits v JOIN facilities f ON f.id = v.facility_id WHERE v.id = :v "
        f"AND {COUNTING}"), {"v": visit_id}).mappings().first()
    if row is None:
        return None, [], []
    facts = {k: row[k] for k in ("id", "organisation_id", "facility_id", "demo", "country",
                                 "admin1", "facility_name", "facility_kind")}
    flags, seen = [], set()
    for flag in row["red_flags"] if isinstance(row["red_flags"], list) else []:
        if isinstance(flag, dict) and flag.get("code") and flag["code"] not in seen:
            seen.add(flag["code"])
            flags.append({**facts, "code": flag["code"], "dimension": flag.get("dimension"),
                          "state": flag.get("state")})
    lower = []
    dimensions = row["dimensions"] if isinstance(row["dimensions"], dict) else {}
    rated = {name: entry["rating"] for name, entry in dimensions.items()
             if isinstance(entry, dict) and entry.get("rating") in (1, 2, 3, 4)}
    if rated:
        before = session.execute(text(
            "SELECT d.key AS dimension, (SELECT CAST(p.dimensions -> d.key ->> 'rating' AS int) "
            "  FROM visits p WHERE p.facility_id = :f AND p.id <> :v AND p.started_at < :at "
            "  AND p.review_status <> 'rejected' AND p.retracted_at IS NULL "
            "  AND p.dimensions -> d.key ->> 'rating' IN ('1', '2', '3', '4') "
            "  ORDER BY p.started_at DESC, p.id DESC LIMIT 1) AS rating "
            "FROM unnest(CAST(:dims AS text[])) AS d(key)"),
            {"f": row["facility_id"], "v": visit_id, "at": row["started_at"],
             "dims": sorted(rated)}).all()
        for name, previous in before:
            if previous is not None and rated[name] < previous:
                lower.append({**facts, "dimension": name, "rating": rated[name],
                              "previous": previous})
    return facts, flags, lower


_CASE_FACTS = """
    SELECT c.id, c.organisation_id, c.facility_id, c.urgency, c.due_at, f.country, f.admin1,
           f.name AS facility_name, f.kind AS facility_kind
    FROM cases c LEFT JOIN facilities f ON f.id = c.facility_id"""


def case(session: Session, case_id) -> dict | None:
    """A protection case's triage facts, as every coordinator of its organisation sees them in
    the queue: urgency and facility. Never anything sealed (the server holds none of it)."""
    row = session.execute(text(_CASE_FACTS + " WHERE c.id = :c AND c.urgency IS NOT NULL"),
                          {"c": case_id}).mappings().first()
    return dict(row) if row else None


def cases_overdue(session: Session, now: datetime) -> list[dict]:
    """Open cases (new or assessed) past their deadline."""
    return [dict(r) for r in session.execute(text(
        _CASE_FACTS + " WHERE c.status IN ('new', 'assessed') AND c.due_at < :now "
        "ORDER BY c.due_at"), {"now": now}).mappings()]


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
