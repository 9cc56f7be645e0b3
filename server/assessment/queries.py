"""SQL of the assessment over time and across facilities: the visits of one facility with their
ratings and red flags (the timeline), the indicators most often below standard there, and the
latest assessment of every facility (the comparison table). Visits that count: not rejected,
not retracted."""
from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

COUNTING = "v.review_status <> 'rejected' AND v.retracted_at IS NULL"
PERIOD = """(CAST(:since AS date) IS NULL OR v.started_at >= CAST(:since AS date))
  AND (CAST(:until AS date) IS NULL OR v.started_at < CAST(:until AS date) + 1)"""


def facilities(session: Session, facility_ids: list) -> dict:
    """{id: {id, name, kind, country}} of the given facilities (unknown ids left out)."""
    rows = session.execute(text("SELECT id, name, kind, country FROM facilities "
                                "WHERE id = ANY(:ids)"), {"ids": list(facility_ids)})
    return {row.id: dict(row._mapping) for row in rows}


def timeline_visits(session: Session, facility_ids: list, *, since: date | None,
                    until: date | None, limit: int) -> dict:
    """{facility id: rows} — each facility's latest `limit` visits of the period, oldest first:
    date, organisation, access, dimensions (ratings, coverage, evidence, source; never
    indicators' free values) and red flags. No monitor, no position, no notes: what the
    coalition view of a visit shows. One statement for any number of facilities."""
    rows = session.execute(text(f"""
        SELECT * FROM (
            SELECT v.id, v.facility_id, v.started_at, v.organisation_id,
                   o.name AS organisation, v.access, v.review_status, v.ring, v.dimensions,
                   v.red_flags,
                   row_number() OVER (PARTITION BY v.facility_id
                                      ORDER BY v.started_at DESC, v.id DESC) AS latest
            FROM visits v JOIN organisations o ON o.id = v.organisation_id
            WHERE v.facility_id = ANY(:ids) AND {COUNTING} AND {PERIOD}) s
        WHERE latest <= :limit
        ORDER BY facility_id, started_at, id"""),
        {"ids": list(facility_ids), "since": since, "until": until, "limit": limit})
    out: dict = {}
    for row in rows:
        out.setdefault(row.facility_id, []).append(dict(row._mapping))
    return out


def below_standard(session: Session, facility_ids: list, *, since: date | None,
                   until: date | None, limit: int) -> dict:
    """{facility id: rows} — the indicators most often not met or partly met at each
    facility's visits of the period, with how many visits observed them (counts over every
    organisation's visits: no one's answers). One statement for any number of facilities."""
    rows = session.execute(text(f"""
        SELECT * FROM (
            SELECT facility_id, code, not_met, partly_met, observed,
                   row_number() OVER (PARTITION BY facility_id
                                      ORDER BY not_met + partly_met DESC, not_met DESC,
                                               code) AS rank
            FROM (
                SELECT v.facility_id, i.key AS code,
                       count(*) FILTER (WHERE i.value ->> 'result' = 'not_met') AS not_met,
                       count(*) FILTER (WHERE i.value ->> 'result' = 'partly_met')
                           AS partly_met,
                       count(*) FILTER (WHERE i.value ->> 'result' IN
                                        ('met', 'partly_met', 'not_met')) AS observed
                FROM visits v,
                     jsonb_each(CASE WHEN jsonb_typeof(v.scores -> 'areas') = 'object'
                                     THEN v.scores -> 'areas' ELSE '{{}}'::jsonb END) a,
                     jsonb_each(CASE WHEN jsonb_typeof(a.value -> 'indicators') = 'object'
                                     THEN a.value -> 'indicators' ELSE '{{}}'::jsonb END) i
                WHERE v.facility_id = ANY(:ids) AND {COUNTING} AND {PERIOD}
                GROUP BY v.facility_id, i.key) counted
            WHERE not_met + partly_met > 0) ranked
        WHERE rank <= :limit
        ORDER BY facility_id, rank"""),
        {"ids": list(facility_ids), "since": since, "until": until, "limit": limit})
    out: dict = {}
    for row in rows:
        out.setdefault(row.facility_id, []).append(
            {"code": row.code, "not_met": row.not_met, "partly_met": row.partly_met,
             "observed": row.observed})
    return out


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
