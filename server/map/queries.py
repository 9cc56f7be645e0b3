"""The map's SQL: counts by cell from the precomputed tables of migration 0005, points, the time
histogram, and the facilities layer. JSON is built in SQL and handed over as text."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core.db import Binder
from ..core.statuses import REVIEW_STATUSES
from ..incidents.taxonomy import incident_types
from .grid import CellRange, TimePlan

# filter name -> (column, SQL array type, number in the *_by tables). map_points, map_deltas and
# map_combos have these columns; the *_by tables a row per (dim, value); the joint tables
# (map_cells, map_days) a combination number of map_combos.
DIMENSIONS = {"types": ("type", "text[]", 1), "severities": ("severity", "smallint[]", 2),
              "statuses": ("status", "text[]", 3),
              "organisations": ("organisation_id", "uuid[]", 4),
              "countries": ("country", "bpchar[]", 5)}
# The closed vocabularies. A filter naming more than half of one (say every status but
# "rejected") is counted as the same filter without it minus the complement, which reads less.
UNIVERSE = {"types": incident_types, "severities": lambda: (1, 2, 3, 4, 5),
            "statuses": lambda: REVIEW_STATUSES}


@dataclass(frozen=True)
class Filters:
    """What the coordinator asked for; empty tuples mean "any"."""
    types: tuple[str, ...] = ()
    severities: tuple[int, ...] = ()
    statuses: tuple[str, ...] = ()
    organisations: tuple[uuid.UUID, ...] = ()
    countries: tuple[str, ...] = ()
    facilities: tuple[uuid.UUID, ...] = ()
    start: date | None = None
    end: date | None = None

    @property
    def dimensions(self) -> list[str]:
        """The filter dimensions in use (facility and dates aside)."""
        return [name for name in DIMENSIONS if getattr(self, name)]


class Sql(Binder):
    """WHERE conditions and their parameters, collected while building one statement."""

    def __init__(self):
        super().__init__("text")

    def dimensions(self, filters: Filters, *, facility: bool) -> list[str]:
        where = []
        for name, (column, array, _) in DIMENSIONS.items():
            values = getattr(filters, name)
            if values:
                where.append(f"{column} = ANY(CAST({self.bind(list(values))} AS {array}))")
        if facility and filters.facilities:
            ids = self.bind(list(filters.facilities))
            where.append(f"facility_id = ANY(CAST({ids} AS uuid[]))")
        return where

    def counted_by(self, filters: Filters) -> tuple[str, list[str]]:
        """The smallest count table answering `filters` ("total", "by" or joint "") and the
        conditions on it."""
        used = filters.dimensions
        if not used:
            return "_total", []
        if len(used) == 1:
            values = [str(v).strip() for v in getattr(filters, used[0])]
            return "_by", [f"dim = {self.bind(DIMENSIONS[used[0]][2])}",
                           f"value = ANY(CAST({self.bind(values)} AS text[]))"]
        combos = _and(self.dimensions(filters, facility=False))
        return "", [f"combo = ANY(ARRAY(SELECT code FROM map_combos WHERE {combos}))"]

    def signed_counts(self, filters: Filters) -> list[tuple[int, str, list[str]]]:
        """[(sign, count table suffix, conditions)] whose signed sum answers `filters`."""
        share, name = max(((len(getattr(filters, n)) / len(UNIVERSE[n]()), n)
                           for n in filters.dimensions if n in UNIVERSE), default=(0, ""))
        # Only when the rest is read from a compact table (total or by one dimension): the joint
        # table already reads exactly the matching combinations.
        if share <= 0.5 or len(filters.dimensions) > 2:
            return [(1, *self.counted_by(filters))]
        rest = tuple(v for v in UNIVERSE[name]() if v not in getattr(filters, name))
        parts = [(1, *self.counted_by(replace(filters, **{name: ()})))]
        if rest:
            parts.append((-1, *self.counted_by(replace(filters, **{name: rest}))))
        return parts

    def finest_area(self, cells: CellRange) -> list[str]:
        gx0, gy0, gx1, gy1 = cells.finest()
        return [f"gx BETWEEN {self.bind(gx0)} AND {self.bind(gx1)}",
                f"gy BETWEEN {self.bind(gy0)} AND {self.bind(gy1)}"]

    def days(self, start: date | None, end: date | None) -> list[str]:
        where = []
        if start:
            where.append(f"day >= {self.bind(start)}")
        if end:
            where.append(f"day <= {self.bind(end)}")
        return where


def _and(conditions: list[str]) -> str:
    return " AND ".join(conditions) or "true"


def _cell_counts_sql(sql: Sql, cells: CellRange, filters: Filters, plan: TimePlan) -> str:
    """SELECT cx, cy, n: signed partial counts whose sums per cell are the answer."""
    shift = sql.bind(cells.level.shift)
    from_points = f"SELECT gx >> {shift} AS cx, gy >> {shift} AS cy, %s AS n FROM map_points WHERE "
    if not cells.level.cube or filters.facilities:
        # Fine levels and facility filters: few enough rows to count the points themselves.
        where = sql.finest_area(cells) + sql.days(filters.start, filters.end) \
            + sql.dimensions(filters, facility=True)
        return from_points % "1" + _and(where)
    parts = []
    if plan.months:
        view = [f"level = {sql.bind(cells.level.level)}",
                f"cx BETWEEN {sql.bind(cells.x0)} AND {sql.bind(cells.x1)}",
                f"cy BETWEEN {sql.bind(cells.y0)} AND {sql.bind(cells.y1)}",
                f"mon BETWEEN {sql.bind(plan.months[0])} AND {sql.bind(plan.months[1])}"]
        for sign, suffix, where in sql.signed_counts(filters):
            parts.append(f"SELECT cx, cy, {sign} * n AS n FROM map_cells{suffix} "
                         f"WHERE {_and(where + view)}")
        # Changes not yet folded into the monthly counts.
        where = sql.finest_area(cells) + sql.days(*plan.month_days) \
            + sql.dimensions(filters, facility=False)
        parts.append(f"SELECT gx >> {shift}, gy >> {shift}, sign FROM map_deltas "
                     f"WHERE {_and(where)}")
    for start, end, sign in plan.edges:
        where = sql.finest_area(cells) + sql.days(start, end) \
            + sql.dimensions(filters, facility=False)
        parts.append(from_points % sign + _and(where))
    return " UNION ALL ".join(parts) or "SELECT 0, 0, 0 WHERE false"


def cells(session: Session, cells: CellRange, filters: Filters, plan: TimePlan, *,
          heat: bool = False) -> tuple[str, int, int, int]:
    """(JSON array text, incidents in view, cells, largest cell count).

    Cells are [lon, lat, n] at the cell's centre, or [lat, lon, n] for a heatmap (the order
    heatmap layers read)."""
    sql = Sql()
    counts = _cell_counts_sql(sql, cells, filters, plan)
    deg = sql.bind(cells.level.cell_deg)
    lon = f"round(((cx + 0.5) * {deg})::numeric, 6)"
    lat = f"round(((cy + 0.5) * {deg})::numeric, 6)"
    pair = f"{lat}, {lon}" if heat else f"{lon}, {lat}"
    row = session.execute(text(f"""
        WITH counts AS (SELECT cx, cy, sum(n)::int AS n FROM ({counts}) s
                        GROUP BY cx, cy HAVING sum(n) > 0)
        SELECT coalesce(json_agg(json_build_array({pair}, n))::text, '[]'),
               coalesce(sum(n), 0)::bigint, count(*), coalesce(max(n), 0)
        FROM counts"""), sql.params).one()
    return row[0], row[1], row[2], row[3]


def points(session: Session, cells: CellRange, filters: Filters, limit: int) -> str:
    """GeoJSON features (text) of the incidents in the cells: id, type, severity, date and
    status only, whichever organisation reported them (the coalition view)."""
    sql = Sql()
    where = sql.finest_area(cells) + sql.days(filters.start, filters.end) \
        + sql.dimensions(filters, facility=True)
    # MATERIALIZED: found through the view's cells (few), not by walking the date index
    # backwards for the ORDER BY ... LIMIT, which the planner prefers and which reads everything.
    return session.execute(text(f"""
        WITH matching AS MATERIALIZED (SELECT * FROM map_points WHERE {_and(where)})
        SELECT coalesce(json_agg(json_build_object(
            'type', 'Feature', 'id', id,
            'geometry', json_build_object('type', 'Point', 'coordinates',
                json_build_array(round(lon::numeric, 5), round(lat::numeric, 5))),
            'properties', json_build_object('type', type, 'severity', severity,
                'occurred_on', day, 'status', status)) ORDER BY day DESC, id)::text, '[]')
        FROM (SELECT * FROM matching ORDER BY day DESC, id LIMIT {sql.bind(limit)}) p"""),
        sql.params).scalar_one()


BUCKET = {"day": "day", "week": "date_trunc('week', day)::date",
          "month": "date_trunc('month', day)::date"}


def histogram(session: Session, filters: Filters, interval: str) -> tuple[list, int]:
    """[[bucket start, count], ...] over the whole map for the filters (not the view)."""
    sql = Sql()
    bucket = BUCKET[interval]
    days = sql.days(filters.start, filters.end)
    if filters.facilities:
        where = days + sql.dimensions(filters, facility=True)
        source = f"SELECT day, 1 AS n FROM map_points WHERE {_and(where)}"
    else:
        waiting = days + sql.dimensions(filters, facility=False)
        source = " UNION ALL ".join(
            [f"SELECT day, {sign} * n AS n FROM map_days{suffix} WHERE {_and(days + where)}"
             for sign, suffix, where in sql.signed_counts(filters)]
            + [f"SELECT day, sign FROM map_deltas WHERE {_and(waiting)}"])
    rows = session.execute(text(f"""
        SELECT {bucket} AS bucket, sum(n)::int AS n FROM ({source}) s
        GROUP BY 1 HAVING sum(n) > 0 ORDER BY 1"""), sql.params).all()
    return [[row.bucket.isoformat(), row.n] for row in rows], sum(row.n for row in rows)
