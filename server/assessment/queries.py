"""SQL of the assessment over time and across facilities: the visits of one facility with their
ratings and red flags (the timeline), the indicators most often below standard there, and the
latest assessment of every facility (the comparison table). Visits that count: not rejected,
not retracted."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

COUNTING = "v.review_status <> 'rejected' AND v.retracted_at IS NULL"
PERIOD = """(CAST(:since AS date) IS NULL OR v.started_at >= CAST(:since AS date))
  AND (CAST(:until AS date) IS NULL OR v.started_at < CAST(:until AS date) + 1)"""


def facility(session: Session, facility_id: uuid.UUID) -> dict | None:
    row = session.execute(text("SELECT id, name, kind, country FROM facilities WHERE id = :id"),
                          {"id": facility_id}).first()
    return dict(row._mapping) if row else None


def timeline_visits(session: Session, facility_id: uuid.UUID, *, since: date | None,
                    until: date | None, limit: int) -> list[dict]:
    """The latest `limit` visits of the period, oldest first: date, organisation, access,
    dimensions (ratings, coverage, evidence, source; never indicators' free values) and red
    flags. No monitor, no position, no notes: what the coalition view of a visit shows."""
    rows = session.execute(text(f"""
        SELECT * FROM (
            SELECT v.id, v.started_at, v.organisation_id, o.name AS organisation, v.access,
                   v.review_status, v.ring, v.dimensions, v.red_flags
            FROM visits v JOIN organisations o ON o.id = v.organisation_id
            WHERE v.facility_id = :id AND {COUNTING} AND {PERIOD}
            ORDER BY v.started_at DESC, v.id DESC LIMIT :limit) s
        ORDER BY started_at, id"""),
        {"id": facility_id, "since": since, "until": until, "limit": limit})
    return [dict(row._mapping) for row in rows]


def below_standard(session: Session, facility_id: uuid.UUID, *, since: date | None,
                   until: date | None, limit: int) -> list[dict]:
    """Indicators most often not met or partly met at the facility's visits of the period, with
    how many visits observed them (counts over every organisation's visits: no one's answers)."""
    rows = session.execute(text(f"""
        SELECT i.key AS code,
               count(*) FILTER (WHERE i.value ->> 'result' = 'not_met') AS not_met,
               count(*) FILTER (WHERE i.value ->> 'result' = 'partly_met') AS partly_met,
               count(*) FILTER (WHERE i.value ->> 'result' IN ('met', 'partly_met', 'not_met'))
                   AS observed
        FROM visits v,
             jsonb_each(CASE WHEN jsonb_typeof(v.scores -> 'areas') = 'object'
                             THEN v.scores -> 'areas' ELSE '{{}}'::jsonb END) a,
             jsonb_each(CASE WHEN jsonb_typeof(a.value -> 'indicators') = 'object'
                             THEN a.value -> 'indicators' ELSE '{{}}'::jsonb END) i
        WHERE v.facility_id = :id AND {COUNTING} AND {PERIOD}
        GROUP BY i.key
        HAVING count(*) FILTER (WHERE i.value ->> 'result' IN ('not_met', 'partly_met')) > 0
        ORDER BY count(*) FILTER (WHERE i.value ->> 'result' IN ('not_met', 'partly_met')) DESC,
                 count(*) FILTER (WHERE i.value ->> 'result' = 'not_met') DESC, i.key
        LIMIT :limit"""),
        {"id": facility_id, "since": since, "until": until, "limit": limit})
    return [dict(row._mapping) for row in rows]


def latest_by_facility(session: Session, *, countries=(), kinds=()) -> list[dict]:
    """Every facility with its latest counting visit's dimensions and red flags and the days
    since that visit (None when never visited), by name."""
    where, params = [], {}
    if countries:
        where.append("f.country = ANY(CAST(:countries AS bpchar[]))")
        params["countries"] = list(countries)
    if kinds:
        where.append("f.kind = ANY(CAST(:kinds AS text[]))")
        params["kinds"] = list(kinds)
    rows = session.execute(text(f"""
        SELECT f.id, f.name, f.kind, f.country, lv.started_at AS last_visit,
               CASE WHEN lv.started_at IS NULL THEN NULL
                    ELSE (CAST(now() AS date) - CAST(lv.started_at AS date)) END AS days_since,
               lv.dimensions, lv.red_flags, lv.ring, lv.access
        FROM facilities f
        LEFT JOIN LATERAL (
            SELECT v.started_at, v.dimensions, v.red_flags, v.ring, v.access FROM visits v
            WHERE v.facility_id = f.id AND {COUNTING}
            ORDER BY v.started_at DESC LIMIT 1) lv ON true
        {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY f.name, f.id"""), params)
    return [dict(row._mapping) for row in rows]
