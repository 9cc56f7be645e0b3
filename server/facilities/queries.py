"""Read queries for facilities; GeoJSON is built in SQL."""
from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session

FEATURE_SQL = """
json_build_object(
  'type', 'Feature',
  'id', f.id,
  'geometry', ST_AsGeoJSON(f.location, 6)::json,
  'properties', json_strip_nulls(json_build_object(
    'kind', f.kind, 'name', f.name,
    'local_names', json_strip_nulls(json_build_object(
        'prs', f.name_prs, 'pus', f.name_pus, 'fas', f.name_fas, 'urd', f.name_urd)),
    'country', f.country, 'admin1', f.admin1,
    'location_precision', f.location_precision,
    'footprint', ST_AsGeoJSON(f.footprint, 6)::json,
    'capacity', f.capacity, 'authority', f.authority, 'description', f.description,
    'source_url', f.source_url, 'status', f.status, 'closed_reason', f.closed_reason,
    'demo', f.demo,
    'created_at', to_char(f.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'updated_at', to_char(f.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
  ))
)"""

NAMES_SQL = ("coalesce(f.name,'') || ' ' || coalesce(f.name_prs,'') || ' ' || "
             "coalesce(f.name_pus,'') || ' ' || coalesce(f.name_fas,'') || ' ' || "
             "coalesce(f.name_urd,'')")


def _like_pattern(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def list_features(session: Session, *, bbox=None, kind=None, country=None, status=None, q=None,
                  include_demo=True, after: tuple[str, str] | None = None,
                  limit: int = 100) -> list[dict]:
    """One page of facilities ordered by (name, id), after the keyset `after`."""
    where, params = [], {"limit": limit}
    if bbox:
        where.append("f.location && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)")
        params.update(zip(("minx", "miny", "maxx", "maxy"), bbox))
    for name, value in (("kind", kind), ("country", country), ("status", status)):
        if value is not None:
            where.append(f"f.{name} = :{name}")
            params[name] = value
    if q:
        where.append(f"({NAMES_SQL}) ILIKE :q")
        params["q"] = _like_pattern(q)
    if not include_demo:
        where.append("NOT f.demo")
    if after:
        where.append("(f.name, f.id) > (:after_name, CAST(:after_id AS uuid))")
        params.update(after_name=after[0], after_id=after[1])
    sql = f"""SELECT f.name, f.id, {FEATURE_SQL} AS feature FROM facilities f
              {"WHERE " + " AND ".join(where) if where else ""}
              ORDER BY f.name, f.id LIMIT :limit"""
    return [row._mapping for row in session.execute(text(sql), params)]


def get_feature(session: Session, facility_id: uuid.UUID) -> dict | None:
    return session.execute(text(f"SELECT {FEATURE_SQL} FROM facilities f WHERE f.id = :id"),
                           {"id": facility_id}).scalar()


def facility_choices(session: Session) -> list[dict]:
    """Open facilities for the forms' choice list (name, labels, location)."""
    rows = session.execute(text("""
        SELECT f.id, f.name, f.name_prs, f.name_pus, f.kind, f.country,
               ST_Y(f.location) AS lat, ST_X(f.location) AS lon
        FROM facilities f WHERE f.status = 'open' ORDER BY f.country, f.name"""))
    return [dict(row._mapping) for row in rows]


def extent(session: Session) -> tuple | None:
    """The box around every facility (minx, miny, maxx, maxy)."""
    return session.execute(text(
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
        "(SELECT ST_Extent(location)::geometry AS e FROM facilities) x")).first()
