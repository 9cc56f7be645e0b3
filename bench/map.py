"""The map benchmark: the incident map's data at world, country, province and city zoom, with and
without filters, through the real app, beside the raw PostGIS aggregate measured in the same run.

    python -m bench.map            # generates the data first if needed (bench.generate)
    python -m bench.map --runs 50 --out results.md
    python -m bench.map --smoke    # tiny data, 2 rounds: every request answers, no targets

Requests go through the Flask test client of the real app (routing, access gate with a real
coordinator session, argument validation, service, SQL, JSON): everything but the socket.
Prints p50/p95 latency and bytes per response; the baseline is a plain
`GROUP BY ST_SnapToGrid(location, 0.25)` over the whole region, as compact JSON.
Targets (issue 5): p95 <= 150 ms and <= 300 KB per response, >= 3x faster than the baseline.
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

import psycopg

from . import generate

P95_MS, MAX_KB, MIN_RATIO = 150, 300, 3.0
BASELINE = "baseline"
VIEWPORT = (1280, 800)  # pixels of the coordinator's map
BASELINE_SQL = """
SELECT coalesce(json_agg(json_build_array(ST_X(cell), ST_Y(cell), n))::text, '[]') FROM (
    SELECT ST_SnapToGrid(location, 0.25) AS cell, count(*) AS n FROM incidents
    WHERE duplicate_of IS NULL AND retracted_at IS NULL
      AND location && ST_MakeEnvelope(40, 20, 80, 42, 4326)
    GROUP BY 1) s"""


def viewport_bbox(lon: float, lat: float, zoom: int, size=VIEWPORT) -> str:
    """The bbox a web map of `size` pixels shows around (lon, lat) at `zoom` (Web Mercator)."""
    scale = 256 * 2 ** zoom
    x = (lon + 180) / 360 * scale
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) \
        / 2 * scale

    def lon_of(px):
        return max(-180.0, min(180.0, px / scale * 360 - 180))

    def lat_of(py):
        n = math.pi - 2 * math.pi * py / scale
        return max(-85.0, min(85.0, math.degrees(math.atan(math.sinh(n)))))
    w, h = size
    return ",".join(f"{v:.5f}" for v in (lon_of(x - w / 2), lat_of(y + h / 2), lon_of(x + w / 2),
                                         lat_of(y - h / 2)))


VIEWS = {  # name: (zoom, centre)
    "world": (3, (65.0, 32.0)),
    "country": (6, (66.0, 33.9)),  # Afghanistan fills the view
    "province": (8, (61.5, 34.5)),  # Herat and the Islam Qala crossing
    "city": (12, (61.07, 34.66)),  # Islam Qala: the densest place in the data
}


def filter_sets(conn) -> dict[str, dict]:
    """The filters a coordinator uses, with the busiest organisation and facility of the data."""
    org = conn.execute("SELECT organisation_id FROM incidents GROUP BY 1 "
                       "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    facility = conn.execute("SELECT id FROM facilities WHERE name = 'Islam Qala'").fetchone()
    facility = facility[0] if facility else conn.execute(
        "SELECT facility_id FROM incidents WHERE facility_id IS NOT NULL GROUP BY 1 "
        "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    return {
        "none": {},
        "type": {"type": "forced_return,pushback"},
        "severity": {"severity": "4,5"},
        "status": {"status": "verified"},
        "organisation": {"organisation": str(org)},
        "country": {"country": "AFG"},
        "facility": {"facility": str(facility)},
        "dates": {"from": "2024-06-15", "to": "2025-02-10"},
        "combined": {"type": "forced_return,arbitrary_arrest", "status": "submitted,verified",
                     "severity": "3,4,5", "from": "2023-10-01", "to": "2024-03-31"},
        "combined, no type": {"severity": "4,5", "status": "verified", "country": "AFG",
                              "organisation": str(org)},
    }


@dataclass
class Result:
    name: str
    times_ms: list
    sizes: list

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def kb(self) -> float:
        return max(self.sizes) / 1024


def timed(call) -> tuple[float, int]:
    started = time.perf_counter()
    size = call()
    return (time.perf_counter() - started) * 1000, size


def measure_interleaved(calls: dict, runs: int, log=print) -> dict[str, Result]:
    """Every call once per round, `runs` rounds after one warm-up round: a burst of load from
    elsewhere on the machine then touches every row alike instead of a few rows."""
    results = {name: Result(name, [], []) for name in calls}
    for round_ in range(runs + 1):
        for name, call in calls.items():
            ms, size = timed(call)
            if round_:
                results[name].times_ms.append(ms)
                results[name].sizes.append(size)
        if round_ and round_ % 10 == 0:
            log(f"  round {round_}/{runs}")
    return results


def coordinator_client(app):
    """A test client signed in as a real coordinator of the bench data (made once)."""
    from sqlalchemy import text

    from server.accounts import sessions
    from server.accounts.models import User
    from server.core.db import db
    with app.app_context():
        user = db.session.query(User).filter_by(email="bench-coordinator@example.org").first()
        if user is None:
            org = db.session.execute(text("SELECT id FROM organisations ORDER BY name "
                                          "LIMIT 1")).scalar_one()
            user = User(id=uuid.uuid4(), organisation_id=org, role="coordinator",
                        email="bench-coordinator@example.org", name="Bench coordinator",
                        active=True)
            db.session.add(user)
            db.session.flush()
        token, _ = sessions.create_row(db.session, user, second_factor=True)
        db.session.commit()
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], token)
    return client


def requests(filters: dict) -> list[tuple[str, str, str]]:
    """(kind, name, path) of every request the benchmark makes."""
    found = []
    for view, (zoom, (lon, lat)) in VIEWS.items():
        bbox = viewport_bbox(lon, lat, zoom)
        for name, query in filters.items():
            found.append(("incidents", f"{view} z{zoom} / {name}", "/api/map/incidents?"
                          + urlencode({"bbox": bbox, "zoom": zoom, **query})))
    for query in ("interval=week", "interval=month&type=forced_return&country=PAK",
                  "interval=day&from=2025-01-01&to=2025-08-31"):
        found.append(("histogram", f"histogram {query}", f"/api/map/histogram?{query}"))
    found.append(("facilities", "facilities layer, all", "/api/map/facilities"))
    found.append(("facilities", "facilities layer, country view",
                  "/api/map/facilities?bbox=" + viewport_bbox(66.0, 33.9, 6)))
    return found


def run(url: str, runs: int, log=print) -> tuple[list[tuple], Result]:
    from server import create_app
    app = create_app({"DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
    client = coordinator_client(app)

    def get(path: str):
        def call():
            response = client.get(path)
            assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
            return len(response.get_data())
        return call

    with psycopg.connect(generate.libpq_url(url)) as conn:
        planned = requests(filter_sets(conn))
        calls = {name: get(path) for _, name, path in planned}
        # the raw aggregate runs in the same rounds, on its own connection
        calls[BASELINE] = lambda: len(conn.execute(BASELINE_SQL).fetchone()[0].encode())
        log(f"[bench] {len(calls)} requests x {runs} rounds, interleaved; "
            f"load average before: {os.getloadavg()[0]:.1f}")
        results = measure_interleaved(calls, runs, log)
    modes = {name: client.get(path).get_json().get("mode", "") for kind, name, path in planned
             if kind == "incidents"}
    return [(kind, results[name], modes.get(name, "")) for kind, name, _ in planned], \
        results[BASELINE]


def table(rows, base: Result, smoke: bool = False) -> str:
    lines = [f"Baseline (raw PostGIS, same run): plain `GROUP BY ST_SnapToGrid(location, 0.25)` "
             f"over the region: p50 {base.p50:.0f} ms, p95 {base.p95:.0f} ms, "
             f"{base.kb:.0f} KB as compact JSON.", "",
             "| request | mode | p50 ms | p95 ms | KB | baseline p50 / p95 | target |",
             "|---|---|---:|---:|---:|---:|---|"]
    for kind, result, mode in rows:
        ratio = base.p50 / result.p95
        ok = result.p95 <= P95_MS and result.kb <= MAX_KB and ratio >= MIN_RATIO
        target = ("met" if ok else "**missed**") if kind == "incidents" else "(not targeted)"
        target = "(smoke run)" if smoke else target
        lines.append(f"| {result.name} | {mode} | {result.p50:.1f} | {result.p95:.1f} | "
                     f"{result.kb:.1f} | {ratio:.1f}x | {target} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.map", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--runs", type=int, help="timed requests per row (default 30; 2 with "
                                                  "--smoke)")
    parser.add_argument("--out", help="also write the results table to this file")
    params, args = generate.parse_args(argv, parser)
    runs = args.runs or (2 if args.smoke else 30)
    url = generate.ensure(params, args.url, provision_db=not args.no_provision,
                          log=lambda m: print(m, flush=True))
    rows, base = run(url, runs, log=lambda m: print(m, flush=True))
    text = table(rows, base, args.smoke) + \
        f"\n\nLoad average after the run: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)."
    print("\n" + text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    if args.smoke:  # every request answered 200 (run() asserts it); timings mean nothing here
        print(f"\nSMOKE RUN OK: {len(rows)} requests answered, {params.incidents:,} incidents")
        return 0
    missed = [r for kind, r, _ in rows if kind == "incidents" and not (
        r.p95 <= P95_MS and r.kb <= MAX_KB and base.p50 / r.p95 >= MIN_RATIO)]
    print(f"\n{'ALL TARGETS MET' if not missed else f'{len(missed)} rows miss a target'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
