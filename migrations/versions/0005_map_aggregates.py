"""map aggregates: incident counts by grid cell and month, kept current as incidents change

Revision ID: 0005
Revises: 0004

A request-time GROUP BY over a million incidents takes ~0.6 s, so the map reads precomputed
counts instead (server/map/queries.py):

- map_points: one compact row per countable incident (not a merged duplicate, not retracted),
  with its cell on the finest grid (gx, gy = floor(lon * 128), floor(lat * 128)). It serves the
  fine zoom levels, the edge days of a date range, facility filters and the points mode.
- counts by coarse grid level, cell and month: map_cells_total (no filter), map_cells_by (one
  filter dimension: a row per dimension and value) and map_cells (combined filters: a row per
  combination of type, severity, status, organisation and country, numbered in map_combos, so
  any mix of filters becomes a list of combination numbers the index reads exactly); the same
  by day for the time histogram: map_days_total, map_days_by, map_days. A query reads the
  smallest table that answers it.
- map_deltas: +1/-1 rows written by the incident triggers. Triggers only ever INSERT here, so
  concurrent submissions never wait on or deadlock over a shared counter; map_compact() folds the
  deltas into the count tables (automatically once more than 1,000 are waiting, under a
  try-lock so only one transaction folds at a time). Readers add the waiting deltas on the fly.
- map_rebuild() recomputes everything from incidents (used here to backfill, and by
  `flask map rebuild`).
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

DIMENSIONS = "type, severity, status, organisation_id, country"
POINT_COLUMNS = f"id, day, gx, gy, lon, lat, {DIMENSIONS}, facility_id"
DELTA_COLUMNS = f"sign, day, gx, gy, {DIMENSIONS}, facility_id"
# The map's view of an incident row `r`, in POINT_COLUMNS order.
POINT_OF = ("r.id, r.occurred_on AS day, floor(ST_X(r.location) * 128)::int AS gx, "
            "floor(ST_Y(r.location) * 128)::int AS gy, ST_X(r.location) AS lon, "
            "ST_Y(r.location) AS lat, r.type, r.severity, r.verification_status AS status, "
            "r.organisation_id, r.country, r.facility_id")
DIMENSIONS_DDL = ("type text NOT NULL, severity smallint NOT NULL, status text NOT NULL, "
                  "organisation_id uuid NOT NULL, country char(3)")
LONLAT_DDL = "lon double precision NOT NULL, lat double precision NOT NULL, "
POINT_DDL = (f"day date NOT NULL, gx integer NOT NULL, gy integer NOT NULL, {LONLAT_DDL}"
             f"{DIMENSIONS_DDL}, facility_id uuid")
COUNTABLE = "r.duplicate_of IS NULL AND r.retracted_at IS NULL"
POINT_DELTA = ("p.day, p.gx, p.gy, p.type, p.severity, p.status, p.organisation_id, p.country, "
               "p.facility_id")
COUNT_TABLES = ("map_cells, map_cells_total, map_cells_by, map_days, map_days_total, map_days_by, "
                "map_combos")
# map_combos' key; country '' when unknown, so that combinations join with plain equality.
COMBO = "type, severity, status, organisation_id, coalesce(country, '')"
COMBO_OF_D = ("c.type = d.type AND c.severity = d.severity AND c.status = d.status AND "
              "c.organisation_id = d.organisation_id AND c.country = coalesce(d.country, '')")
# One row per filter dimension of a delta `d` (dimension number, value as text); see
# server/map/queries.py DIMENSIONS for the numbering.
BY_DIMENSION = """CROSS JOIN LATERAL (VALUES (1, d.type), (2, d.severity::text), (3, d.status),
    (4, d.organisation_id::text), (5, d.country::text)) v(dim, value)"""
COMPACT_AFTER = 1000
COMPACT_LOCK = 7_240_505


def _upsert(table: str, key: str, select: str, from_: str, where: str = "") -> str:
    """INSERT the signed sums of the deltas in `from_` (alias d) grouped by `key` into `table`,
    adding to existing rows (sorted, so concurrent folds would lock rows in one order)."""
    numbers = ", ".join(str(n) for n in range(1, len(key.split(",")) + 1))
    return f"""
    INSERT INTO {table} AS c ({key}, n)
    SELECT {select}, sum(d.sign) FROM {from_} {where}
    GROUP BY {numbers} HAVING sum(d.sign) <> 0 ORDER BY {numbers}
    ON CONFLICT ({key}) DO UPDATE SET n = c.n + excluded.n RETURNING 1"""


def _fold(source: str) -> str:
    """CTEs adding the signed rows of `source` (DELTA_COLUMNS and `combo`) to every count table."""
    cell = "l.level, d.gx >> l.shift, d.gy >> l.shift, map_month(d.day)"
    levels = f"{source} d CROSS JOIN map_levels l"
    parts = {
        "cells": _upsert("map_cells", "level, combo, cx, cy, mon",
                         "l.level, d.combo, d.gx >> l.shift, d.gy >> l.shift, map_month(d.day)",
                         levels, "WHERE l.cube"),
        "cells_total": _upsert("map_cells_total", "level, cx, cy, mon", cell, levels,
                               "WHERE l.cube"),
        "cells_by": _upsert("map_cells_by", "level, dim, value, cx, cy, mon",
                            "l.level, v.dim, v.value, d.gx >> l.shift, d.gy >> l.shift, "
                            "map_month(d.day)", f"{levels} {BY_DIMENSION}",
                            "WHERE l.cube AND v.value IS NOT NULL"),
        "days": _upsert("map_days", "combo, day", "d.combo, d.day", f"{source} d"),
        "days_total": _upsert("map_days_total", "day", "d.day", f"{source} d"),
        "days_by": _upsert("map_days_by", "dim, value, day", "v.dim, v.value, d.day",
                           f"{source} d {BY_DIMENSION}", "WHERE v.value IS NOT NULL"),
    }
    return ",".join(f"\n    {name} AS ({sql})" for name, sql in parts.items())


def upgrade() -> None:
    # Grid levels: cell_deg = 8 / 4^level; a cell's index is the finest-grid index >> shift.
    # Levels with `cube` have precomputed counts; finer ones are counted from map_points.
    op.execute("""
    CREATE TABLE map_levels (
        level smallint PRIMARY KEY,
        cell_deg double precision NOT NULL,
        shift smallint NOT NULL,
        cube boolean NOT NULL
    )""")
    op.execute("""INSERT INTO map_levels VALUES (0, 8, 10, true), (1, 2, 8, true),
                  (2, 0.5, 6, true), (3, 0.125, 4, true), (4, 0.03125, 2, false),
                  (5, 0.0078125, 0, false)""")
    op.execute("""
    CREATE FUNCTION map_month(day date) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ((extract(year FROM day)::int - 2000) * 12 + extract(month FROM day)::int - 1) $$
    """)
    op.execute(f"""CREATE TABLE map_points (id uuid PRIMARY KEY, {POINT_DDL})""")
    op.execute(f"CREATE INDEX ix_map_points_cell ON map_points (gx, gy) "
               f"INCLUDE (day, {DIMENSIONS})")
    op.execute(f"CREATE INDEX ix_map_points_day ON map_points (day) INCLUDE (gx, gy, {DIMENSIONS})")
    op.execute(f"CREATE INDEX ix_map_points_facility ON map_points (facility_id, day) "
               f"INCLUDE (gx, gy, {DIMENSIONS}) WHERE facility_id IS NOT NULL")
    op.execute(f"""CREATE TABLE map_deltas (
        sign smallint NOT NULL CHECK (sign IN (-1, 1)), {POINT_DDL.replace(LONLAT_DDL, "")})""")
    op.execute("""CREATE TABLE map_combos (
        code integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        type text NOT NULL, severity smallint NOT NULL, status text NOT NULL,
        organisation_id uuid NOT NULL, country char(3) NOT NULL)""")
    op.execute("CREATE UNIQUE INDEX ux_map_combos ON map_combos "
               "(type, severity, status, organisation_id, country)")
    op.execute("""CREATE TABLE map_cells (
        level smallint NOT NULL, combo integer NOT NULL, cx integer NOT NULL,
        cy integer NOT NULL, mon integer NOT NULL, n integer NOT NULL)""")
    # Unique indexes are also the covering indexes the queries scan (index-only): a filter is
    # `combo = ANY(codes)`, one short range of the view's cells per matching combination.
    op.execute("CREATE UNIQUE INDEX ux_map_cells ON map_cells (level, combo, cx, cy, mon) "
               "INCLUDE (n)")
    op.execute("""
    CREATE TABLE map_cells_total (
        level smallint NOT NULL, cx integer NOT NULL, cy integer NOT NULL, mon integer NOT NULL,
        n integer NOT NULL
    )""")
    op.execute("CREATE UNIQUE INDEX ux_map_cells_total ON map_cells_total (level, cx, cy, mon) "
               "INCLUDE (n)")
    op.execute("""
    CREATE TABLE map_cells_by (
        level smallint NOT NULL, dim smallint NOT NULL, value text NOT NULL,
        cx integer NOT NULL, cy integer NOT NULL, mon integer NOT NULL, n integer NOT NULL
    )""")
    op.execute("CREATE UNIQUE INDEX ux_map_cells_by ON map_cells_by "
               "(level, dim, value, cx, cy, mon) INCLUDE (n)")
    op.execute("""CREATE TABLE map_days (combo integer NOT NULL, day date NOT NULL,
                                        n integer NOT NULL)""")
    op.execute("CREATE UNIQUE INDEX ux_map_days ON map_days (combo, day) INCLUDE (n)")
    op.execute("CREATE TABLE map_days_total (day date NOT NULL, n integer NOT NULL)")
    op.execute("CREATE UNIQUE INDEX ux_map_days_total ON map_days_total (day) INCLUDE (n)")
    op.execute("""CREATE TABLE map_days_by (dim smallint NOT NULL, value text NOT NULL,
                                           day date NOT NULL, n integer NOT NULL)""")
    op.execute("CREATE UNIQUE INDEX ux_map_days_by ON map_days_by (dim, value, day) INCLUDE (n)")

    op.execute(f"""
    CREATE FUNCTION map_compact() RETURNS bigint LANGUAGE plpgsql AS $$
    DECLARE moved bigint;
    BEGIN
        PERFORM pg_advisory_xact_lock({COMPACT_LOCK});
        INSERT INTO map_combos (type, severity, status, organisation_id, country)
            SELECT DISTINCT {COMBO} FROM map_deltas ON CONFLICT DO NOTHING;
        -- deltas that arrived after the line above wait for the next fold (no combo yet)
        WITH d AS (DELETE FROM map_deltas d USING map_combos c WHERE {COMBO_OF_D}
                   RETURNING d.*, c.code AS combo), {_fold("d")}
        SELECT count(*) INTO moved FROM d;
        RETURN moved;
    END $$""")
    op.execute(f"""
    CREATE FUNCTION map_compact_if_needed() RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        IF (SELECT count(*) FROM (SELECT 1 FROM map_deltas LIMIT {COMPACT_AFTER + 1}) s)
                > {COMPACT_AFTER}
           AND pg_try_advisory_xact_lock({COMPACT_LOCK}) THEN
            PERFORM map_compact();
        END IF;
    END $$""")
    op.execute(f"""
    CREATE FUNCTION map_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
    DECLARE counted bigint;
    BEGIN
        PERFORM pg_advisory_xact_lock({COMPACT_LOCK});
        TRUNCATE map_points, map_deltas, {COUNT_TABLES} RESTART IDENTITY;
        -- in grid order: the rows of a view then sit on few pages
        INSERT INTO map_points ({POINT_COLUMNS})
            SELECT {POINT_OF} FROM incidents r WHERE {COUNTABLE} ORDER BY gx, gy;
        INSERT INTO map_combos (type, severity, status, organisation_id, country)
            SELECT DISTINCT {COMBO} FROM map_points;
        WITH d AS (SELECT 1::smallint AS sign, {POINT_DELTA}, c.code AS combo
                   FROM map_points p JOIN map_combos c ON {COMBO_OF_D.replace("d.", "p.")}),
             {_fold("d")}
        SELECT count(*) INTO counted FROM map_points;
        RETURN counted;
    END $$""")

    # Incident triggers: statement-level with transition tables, so a COPY of a million rows is
    # handled in one set-based pass and a single-row change costs two small inserts.
    op.execute(f"""
    CREATE FUNCTION map_incidents_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        WITH p AS (INSERT INTO map_points ({POINT_COLUMNS})
                   SELECT {POINT_OF} FROM new_rows r WHERE {COUNTABLE} RETURNING *)
        INSERT INTO map_deltas ({DELTA_COLUMNS}) SELECT 1, {POINT_DELTA} FROM p;
        PERFORM map_compact_if_needed();
        RETURN NULL;
    END $$""")
    op.execute(f"""
    CREATE FUNCTION map_incidents_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        WITH p AS (DELETE FROM map_points p USING old_rows r WHERE p.id = r.id RETURNING p.*)
        INSERT INTO map_deltas ({DELTA_COLUMNS}) SELECT -1, {POINT_DELTA} FROM p;
        PERFORM map_compact_if_needed();
        RETURN NULL;
    END $$""")
    # An update removes the map row of every changed incident whose map view differs (or that
    # stopped counting: merged or retracted), then adds the rows that count and are missing.
    op.execute(f"""
    CREATE FUNCTION map_incidents_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        WITH now_rows AS (SELECT {POINT_OF} FROM new_rows r WHERE {COUNTABLE}),
        gone AS (
            DELETE FROM map_points p USING old_rows o WHERE p.id = o.id
            AND NOT EXISTS (SELECT 1 FROM now_rows n WHERE
                (n.id, n.day, n.lon, n.lat, n.type, n.severity, n.status, n.organisation_id,
                 n.country, n.facility_id)
                IS NOT DISTINCT FROM
                (p.id, p.day, p.lon, p.lat, p.type, p.severity, p.status, p.organisation_id,
                 p.country, p.facility_id))
            RETURNING p.*)
        INSERT INTO map_deltas ({DELTA_COLUMNS}) SELECT -1, {POINT_DELTA} FROM gone p;
        WITH p AS (INSERT INTO map_points ({POINT_COLUMNS})
                   SELECT {POINT_OF} FROM new_rows r WHERE {COUNTABLE}
                   ON CONFLICT (id) DO NOTHING RETURNING *)
        INSERT INTO map_deltas ({DELTA_COLUMNS}) SELECT 1, {POINT_DELTA} FROM p;
        PERFORM map_compact_if_needed();
        RETURN NULL;
    END $$""")
    op.execute(f"""
    CREATE FUNCTION map_incidents_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE map_points, map_deltas, {COUNT_TABLES} RESTART IDENTITY;
        RETURN NULL;
    END $$""")
    for event, transition in (("INSERT", "NEW TABLE AS new_rows"),
                              ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                              ("DELETE", "OLD TABLE AS old_rows")):
        name = {"INSERT": "inserted", "UPDATE": "updated", "DELETE": "deleted"}[event]
        op.execute(f"""CREATE TRIGGER map_incidents_{name} AFTER {event} ON incidents
                       REFERENCING {transition} FOR EACH STATEMENT
                       EXECUTE FUNCTION map_incidents_{name}()""")
    op.execute("""CREATE TRIGGER map_incidents_truncated AFTER TRUNCATE ON incidents
                  FOR EACH STATEMENT EXECUTE FUNCTION map_incidents_truncated()""")
    # Index-only scans need the visibility map: vacuum the count tables after 1% of changes,
    # not the default 20%.
    for table in ("map_points", *COUNT_TABLES.split(", ")):
        op.execute(f"ALTER TABLE {table} SET (autovacuum_vacuum_scale_factor = 0.01, "
                   "autovacuum_vacuum_insert_scale_factor = 0.01)")
    op.execute("SELECT map_rebuild()")

    # The facilities layer: the latest visit that counts, straight from an index.
    op.execute("""CREATE INDEX ix_visits_facility_latest ON visits (facility_id, started_at DESC)
                  INCLUDE (grade, access)
                  WHERE review_status <> 'rejected' AND retracted_at IS NULL""")


def downgrade() -> None:
    op.execute("DROP INDEX ix_visits_facility_latest")
    for name in ("inserted", "updated", "deleted", "truncated"):
        op.execute(f"DROP TRIGGER map_incidents_{name} ON incidents")
        op.execute(f"DROP FUNCTION map_incidents_{name}()")
    for function in ("map_rebuild()", "map_compact_if_needed()", "map_compact()",
                     "map_month(date)"):
        op.execute(f"DROP FUNCTION {function}")
    op.execute(f"DROP TABLE map_points, map_deltas, map_levels, {COUNT_TABLES}")
