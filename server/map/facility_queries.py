"""SQL of the facilities layer and the facility panel: latest condition, visit history,
incidents nearby, the caller's own photos."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

# The latest visit that counts (not rejected, not retracted), served by ix_visits_facility_latest.
LATEST_VISIT = """
LEFT JOIN LATERAL (
    SELECT v.id, v.started_at, v.ring, v.access FROM visits v
    WHERE v.facility_id = f.id AND v.review_status <> 'rejected' AND v.retracted_at IS NULL
    ORDER BY v.started_at DESC LIMIT 1) lv ON true"""

LAYER_FEATURE = """json_build_object(
    'type', 'Feature', 'id', f.id,
    'geometry', json_build_object('type', 'Point', 'coordinates',
        json_build_array(round(ST_X(f.location)::numeric, 5), round(ST_Y(f.location)::numeric, 5))),
    'properties', json_build_object(
        'name', f.name, 'kind', f.kind, 'country', f.country, 'status', f.status,
        'last_visit', to_char(lv.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
        'ring', coalesce(lv.ring, 'none'),
        'access_denied', coalesce(lv.access = 'denied', false),
        'stale', lv.started_at IS NULL OR lv.started_at < now() - make_interval(days => :stale)))"""


def layer(session: Session, *, bbox=None, kinds=(), countries=(), stale_after_days: int,
          limit: int) -> tuple[str, int, bool]:
    """(JSON array text of GeoJSON features, how many, whether more were left out)."""
    where, params = [], {"stale": stale_after_days, "limit": limit}
    if bbox:
        where.append("f.location && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)")
        params.update(zip(("minx", "miny", "maxx", "maxy"), bbox))
    if kinds:
        where.append("f.kind = ANY(CAST(:kinds AS text[]))")
        params["kinds"] = list(kinds)
    if countries:
        where.append("f.country = ANY(CAST(:countries AS bpchar[]))")
        params["countries"] = list(countries)
    row = session.execute(text(f"""
        WITH chosen AS (
            SELECT f.*, row_number() OVER (ORDER BY f.name, f.id) AS rn FROM facilities f
            {"WHERE " + " AND ".join(where) if where else ""}
            ORDER BY f.name, f.id LIMIT :limit + 1)
        SELECT coalesce(json_agg({LAYER_FEATURE} ORDER BY f.rn)
                        FILTER (WHERE f.rn <= :limit)::text, '[]'),
               count(*) FILTER (WHERE f.rn <= :limit), count(*) > :limit
        FROM chosen f {LATEST_VISIT}"""), params).one()
    return row[0], row[1], row[2]


def facility_summary(session: Session, facility_id: uuid.UUID,
                     stale_after_days: int) -> dict | None:
    row = session.execute(text(f"""
        SELECT f.id, f.name, f.kind, f.country, f.admin1, f.status, f.capacity,
               ST_X(f.location) AS lon, ST_Y(f.location) AS lat,
               lv.started_at AS last_visit, coalesce(lv.ring, 'none') AS ring, lv.access,
               (SELECT json_build_object('dimensions', v.dimensions, 'red_flags', v.red_flags)
                FROM visits v WHERE v.id = lv.id) AS assessment,
               lv.started_at IS NULL OR lv.started_at < now() - make_interval(days => :stale)
                   AS stale
        FROM facilities f {LATEST_VISIT} WHERE f.id = :id"""),
        {"id": facility_id, "stale": stale_after_days}).first()
    return dict(row._mapping) if row else None


def visit_history(session: Session, facility_id: uuid.UUID, organisation_id, *, start: date | None,
                  end: date | None, limit: int) -> list[dict]:
    """The latest `limit` visits that count, oldest first, with their dimension ratings and
    red flags (change over time per facility, never a league table)."""
    rows = session.execute(text("""
        SELECT * FROM (
            SELECT v.id, v.started_at, v.ring, v.access, v.review_status,
                   (SELECT jsonb_object_agg(d.key, d.value -> 'rating')
                    FROM jsonb_each(v.dimensions) d WHERE jsonb_typeof(d.value) = 'object')
                       AS ratings,
                   (SELECT coalesce(jsonb_agg(DISTINCT f ->> 'code'), '[]'::jsonb)
                    FROM jsonb_array_elements(v.red_flags) f) AS red_flags,
                   coalesce(v.dimensions ->> 'derived_from_earlier_form' = 'true', false)
                       AS derived,
                   v.organisation_id = :org AS own
            FROM visits v
            WHERE v.facility_id = :id AND v.review_status <> 'rejected' AND v.retracted_at IS NULL
              AND (CAST(:start AS date) IS NULL OR v.started_at >= CAST(:start AS date))
              AND (CAST(:end AS date) IS NULL OR v.started_at < CAST(:end AS date) + 1)
            ORDER BY v.started_at DESC LIMIT :limit) s
        ORDER BY started_at"""),
        {"id": facility_id, "org": organisation_id, "start": start, "end": end, "limit": limit})
    return [dict(row._mapping) for row in rows]


NEARBY = """
FROM incidents i, facilities f
WHERE f.id = :id AND i.duplicate_of IS NULL AND i.retracted_at IS NULL
  AND i.location && ST_Expand(f.location,
                              :radius_m / 111320.0 / greatest(cos(radians(ST_Y(f.location))), 0.1))
  AND ST_DWithin(i.location::geography, f.location::geography, :radius_m)
  AND (CAST(:start AS date) IS NULL OR i.occurred_on >= CAST(:start AS date))
  AND (CAST(:end AS date) IS NULL OR i.occurred_on <= CAST(:end AS date))"""


def incidents_nearby(session: Session, facility_id: uuid.UUID, *, radius_m: int,
                     start: date | None, end: date | None, latest: int) -> dict:
    """Counts by type within radius_m of the facility, and the latest few (coalition fields)."""
    params = {"id": facility_id, "radius_m": radius_m, "start": start, "end": end,
              "latest": latest}
    by_type = session.execute(text(f"""
        SELECT i.type, count(*) AS n {NEARBY} GROUP BY i.type ORDER BY n DESC, i.type"""),
        params).all()
    recent = session.execute(text(f"""
        SELECT i.id, i.type, i.severity, i.occurred_on, i.verification_status AS status,
               round(ST_Distance(i.location::geography, f.location::geography)) AS distance_m
        {NEARBY} ORDER BY i.occurred_on DESC, i.id LIMIT :latest"""), params).all()
    return {"by_type": {row.type: row.n for row in by_type},
            "total": sum(row.n for row in by_type),
            "latest": [dict(row._mapping) for row in recent]}


def own_photos(session: Session, facility_id: uuid.UUID, organisation_id, limit: int) -> list[dict]:
    """Received photos of the caller's organisation's visits and incidents at the facility."""
    rows = session.execute(text("""
        SELECT a.id, a.visit_id, a.incident_id, a.received_at
        FROM visits v JOIN attachments a ON a.visit_id = v.id
        WHERE v.facility_id = :id AND v.organisation_id = :org AND v.retracted_at IS NULL
          AND a.sha256 IS NOT NULL
        UNION ALL
        SELECT a.id, a.visit_id, a.incident_id, a.received_at
        FROM incidents i JOIN attachments a ON a.incident_id = i.id
        WHERE i.facility_id = :id AND i.organisation_id = :org AND i.retracted_at IS NULL
          AND a.sha256 IS NOT NULL
        ORDER BY received_at DESC NULLS LAST, id LIMIT :limit"""),
        {"id": facility_id, "org": organisation_id, "limit": limit})
    return [dict(row._mapping) for row in rows]
