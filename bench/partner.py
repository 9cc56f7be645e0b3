"""The partner API benchmark (issue 6): the same PostGIS incidents table served through our API
and through pygeoapi, beside raw SQL and COPY, measured in one run.

    python -m bench.partner                     # generates the data first if needed
    python -m bench.partner --runs 30 --out bench/out/partner.md
    python -m bench.partner --smoke    # tiny data, pages of 100, 3 runs: checks, no targets

Both APIs run as real HTTP servers on 127.0.0.1 under gunicorn (one sync worker each): ours from
the project's virtualenv, pygeoapi (PostgreSQL provider on the same table) from
bench/.venv-pygeoapi, made by `make bench-partner` from bench/requirements-pygeoapi.txt (pinned
completely) apart from the app's dependencies.
Every request of ours goes through everything a partner's does: key check, rate limit, the
sharing policy in SQL (here: 10-km grid, k = 5, sensitive types at admin-1) and the audit entry.

Targets: (a) a 1,000-feature page in a 1-degree box, OGC API and feed alike: p50 <= 30 ms,
>= 10x faster than pygeoapi, within 3x of the same page built in raw SQL; (b) the full GeoJSON
export >= 0.5x the rate of `COPY (SELECT ST_AsGeoJSON(t.*) FROM incidents t) TO STDOUT`;
(c) the export's peak RSS grows < 50 MB from 10,000 to 1,000,000 features.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import requests

from . import generate

ROOT = Path(__file__).resolve().parents[1]
PYGEOAPI_VENV = ROOT / "bench" / ".venv-pygeoapi"
P50_MS, MIN_VS_PYGEOAPI, MAX_VS_RAW, MIN_VS_COPY, MAX_RSS_GROWTH_MB = 30, 10.0, 3.0, 0.5, 50
POLICY = dict(location_precision="grid", grid_km=10, small_count_k=5, statuses=["verified"])
SMALL_EXPORT = "type=monitor_obstruction,death"  # a filter that leaves some thousands
RAW_PAGE = ("SELECT ST_AsGeoJSON(t.*) FROM (SELECT * FROM incidents WHERE location && "
            "ST_MakeEnvelope(%s, %s, %s, %s, 4326) {order} LIMIT {limit}) t")
COPY_SQL = "COPY (SELECT ST_AsGeoJSON(t.*) FROM incidents t) TO STDOUT"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- data ----------------------------------------------------------------------------------

def share_consent(conn: psycopg.Connection) -> None:
    """The generator leaves every incident `internal_only` (the schema's default), which no
    partner may receive. Give them a realistic mix once: 80% anonymised sharing, 10% with
    consent, 10% internal only — without touching updated_at or the map's counters."""
    shared = conn.execute("SELECT count(*) FILTER (WHERE consent <> 'internal_only'), count(*) "
                          "FROM incidents").fetchone()
    if shared[0] > shared[1] // 100:
        return
    log("[bench] giving the generated incidents a consent mix (once)")
    conn.execute("ALTER TABLE incidents DISABLE TRIGGER USER")
    conn.execute("""UPDATE incidents SET consent = CASE
        WHEN abs(hashtext(id::text)) % 10 < 8 THEN 'share_anonymised'
        WHEN abs(hashtext(id::text)) % 10 < 9 THEN 'share_with_consent'
        ELSE 'internal_only' END""")
    conn.execute("ALTER TABLE incidents ENABLE TRIGGER USER")
    conn.commit()
    conn.autocommit = True
    conn.execute("VACUUM FULL incidents")  # the update left every row twice
    conn.execute("VACUUM ANALYZE incidents")  # and VACUUM FULL leaves the visibility map empty
    conn.autocommit = False


def bench_partner(conn: psycopg.Connection) -> str:
    """A partner organisation with a policy and a key (made anew each run); the raw key."""
    org, key = uuid.uuid4(), "nzp_" + secrets.token_urlsafe(32)
    conn.execute("INSERT INTO organisations (id, name, kind) VALUES (%s, %s, 'partner')",
                 (org, f"Bench partner {org}"))
    conn.execute("""INSERT INTO sharing_policies (organisation_id, location_precision, grid_km,
                        small_count_k, statuses) VALUES (%s, %s, %s, %s, %s)""",
                 (org, POLICY["location_precision"], POLICY["grid_km"],
                  POLICY["small_count_k"], POLICY["statuses"]))
    conn.execute("""INSERT INTO partner_keys (id, organisation_id, label, key_hash, hint, scopes,
                        expires_at)
                    VALUES (%s, %s, 'bench', %s, %s, %s, now() + interval '1 day')""",
                 (uuid.uuid4(), org, hashlib.sha256(key.encode()).hexdigest(), key[:8],
                  ["exports", "facilities:read", "incidents:read"]))
    conn.commit()
    return key


def densest_box(conn: psycopg.Connection) -> tuple[int, int, int, int]:
    x, y = conn.execute("""SELECT floor(ST_X(location))::int, floor(ST_Y(location))::int
        FROM incidents GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1""").fetchone()
    return x, y, x + 1, y + 1


# --- servers -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn server (one sync worker) on 127.0.0.1, stopped on exit."""

    def __init__(self, gunicorn: list[str], app: str, env: dict, probe: str,
                 port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [*gunicorn, "--workers", "1", "--timeout", "900", "--bind",
             f"127.0.0.1:{self.port}", "--log-level", "warning", app],
            env={**os.environ, **env}, cwd=ROOT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + probe, timeout=10).status_code < 500:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{app} did not start")

    def worker_pid(self) -> int:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return int(children.split()[0])

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.worker_pid()}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def ours(url: str) -> Server:
    env = {"DATABASE_URL": url, "PARTNER_RATE_LIMIT_PER_MINUTE": "100000000",
           "LOG_LEVEL": "WARNING", "SECRET_KEY": "bench", "DB_POOL_SIZE": "2"}
    return Server([sys.executable, "-m", "gunicorn"], "server.wsgi:app", env, "/healthz")


PYGEOAPI_CONFIG = """
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  language: en-US
  pretty_print: false
  limits: {{default_items: 1000, max_items: 10000}}
  map: {{url: 'https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png', attribution: OSM}}
logging: {{level: ERROR}}
metadata:
  identification: {{title: bench, description: bench, keywords: [bench], keywords_type: theme,
                    terms_of_service: none, url: 'http://127.0.0.1'}}
  license: {{name: none, url: 'http://127.0.0.1'}}
  provider: {{name: bench, url: 'http://127.0.0.1'}}
  contact: {{name: bench, email: bench@example.org}}
resources:
  incidents:
    type: collection
    title: incidents
    description: the same incidents table
    keywords: [incidents]
    extents:
      spatial: {{bbox: [40, 20, 80, 42], crs: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84'}}
    providers:
      - type: feature
        name: PostgreSQL
        data: {{host: 127.0.0.1, port: 5432, dbname: {db}, user: nezarat, password: nezarat,
               search_path: [public]}}
        id_field: id
        table: incidents
        geom_field: location
"""


def pygeoapi(url: str, workdir: Path) -> Server:
    """pygeoapi 0.21 from bench/.venv-pygeoapi on the same database and table."""
    bin_dir = PYGEOAPI_VENV / "bin"
    if not (bin_dir / "pygeoapi").exists():
        raise SystemExit(f"pygeoapi is not installed in {PYGEOAPI_VENV}: run "
                         "`make bench-partner` (or `make bench-smoke`), which makes it from "
                         "bench/requirements-pygeoapi.txt")
    port = free_port()
    config, openapi = workdir / "pygeoapi.yml", workdir / "pygeoapi-openapi.yml"
    config.write_text(PYGEOAPI_CONFIG.format(port=port, db=url.rsplit("/", 1)[1]))
    env = {"PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
    done = subprocess.run([str(bin_dir / "pygeoapi"), "openapi", "generate", str(config),
                           "--output-file", str(openapi)], env={**os.environ, **env},
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"pygeoapi openapi generate failed ({done.returncode}):\n"
                           f"{done.stdout}{done.stderr}")
    return Server([str(bin_dir / "gunicorn")], "pygeoapi.flask_app:APP", env, "/conformance",
                  port=port)  # the port its config puts in its links


# --- measurements --------------------------------------------------------------------------

def timed(fn, runs: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100)[int(q) - 1] if len(times) > 1 else times[0]


def get_page(http: requests.Session, url: str, expect: int):
    def fetch():
        response = http.get(url, timeout=120)
        response.raise_for_status()
        body = response.json()
        assert len(body["features"]) == expect, (url, len(body["features"]))
    return fetch


def raw_page(conn: psycopg.Connection, box, ordered: bool, limit: int):
    sql = RAW_PAGE.format(order="ORDER BY updated_at, id" if ordered else "", limit=limit)

    def fetch():
        rows = conn.execute(sql, box).fetchall()
        assert len(rows) == limit
        conn.rollback()
    return fetch


def stream_export(http: requests.Session, url: str) -> tuple[int, int, float]:
    """(features, bytes, seconds) of one streamed export, read as a client would."""
    started, size, lines = time.perf_counter(), 0, 0
    with http.get(url, stream=True, timeout=900) as response:
        response.raise_for_status()
        for chunk in response.iter_content(1 << 20):
            size += len(chunk)
            lines += chunk.count(b"\n")
    return lines - 2, size, time.perf_counter() - started  # minus the head and tail lines


def copy_rate(conn: psycopg.Connection) -> tuple[int, float]:
    started, rows = time.perf_counter(), 0
    with conn.cursor().copy(COPY_SQL) as copy:
        for _ in copy:
            rows += 1
    conn.rollback()
    return rows, time.perf_counter() - started


def pygeoapi_pass(http: requests.Session, url: str, pages: int) -> tuple[int, float]:
    """Features per second through pygeoapi's next links, over the first `pages` pages."""
    started, count = time.perf_counter(), 0
    for _ in range(pages):
        response = http.get(url, timeout=300)
        response.raise_for_status()
        body = response.json()
        count += len(body["features"])
        url = next((link["href"] for link in body.get("links", []) if link["rel"] == "next"),
                   None)
        if url is None:
            break
    return count, time.perf_counter() - started


# --- the run -------------------------------------------------------------------------------

def run(args, params: generate.Params) -> str:
    url = generate.ensure(params, args.url, provision_db=not args.no_provision, log=log)
    limit = args.page
    libpq = generate.libpq_url(url)
    with psycopg.connect(libpq) as conn:
        share_consent(conn)
        key = bench_partner(conn)
        box = densest_box(conn)
        total = conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
    bbox = ",".join(map(str, box))
    http = requests.Session()
    http.headers.update({"Authorization": f"Bearer {key}", "Accept-Encoding": "identity"})
    plain = requests.Session()
    plain.headers["Accept-Encoding"] = "identity"
    rows: list[tuple] = []
    log(f"[bench] {total:,} incidents; 1-degree box {bbox}; policy {POLICY}")

    with tempfile.TemporaryDirectory() as tmp, psycopg.connect(libpq) as conn:
        with pygeoapi(url, Path(tmp)) as peer:
            log("[bench] (a) pygeoapi pages")
            geo_page = timed(get_page(plain, f"{peer.url}/collections/incidents/items?f=json"
                                             f"&limit={limit}&bbox={bbox}", limit),
                             max(5, args.runs // 3))
            log("[bench] (b) pygeoapi pass through next links")
            geo_count, geo_seconds = pygeoapi_pass(
                plain, f"{peer.url}/collections/incidents/items?f=json&limit={limit}",
                args.pygeoapi_pages)
        with ours(url) as app:
            log("[bench] (a) our pages")
            ogc = timed(get_page(http, f"{app.url}/ogc/collections/incidents/items"
                                       f"?limit={limit}&bbox={bbox}", limit), args.runs)
            feed = timed(get_page(http, f"{app.url}/api/partner/v1/incidents?limit={limit}"
                                        f"&bbox={bbox}", limit), args.runs)
            raw_ordered = timed(raw_page(conn, box, True, limit), args.runs)
            raw_any = timed(raw_page(conn, box, False, limit), args.runs)
            log("[bench] (b) exports")
            copy_rows, copy_seconds = copy_rate(conn)
            features, size, seconds = stream_export(
                http, f"{app.url}/api/partner/v1/exports/incidents.geojson")
        log("[bench] (c) export memory, each in a fresh server")
        memory = {}
        for name, query in (("small", SMALL_EXPORT), ("full", "")):
            with ours(url) as app:
                get_page(http, f"{app.url}/api/partner/v1/incidents?limit=1", 1)()
                before = app.peak_rss_mb()
                n, _, _ = stream_export(
                    http, f"{app.url}/api/partner/v1/exports/incidents.geojson?{query}")
                memory[name] = (n, before, app.peak_rss_mb())

    ours_rate, copy_rate_ = features / seconds, copy_rows / copy_seconds
    geo_p50 = statistics.median(geo_page)
    for name, times in (("OGC API items (ours)", ogc), ("partner feed (ours)", feed)):
        p50 = statistics.median(times)
        rows.append((f"(a) {name}, {limit:,} features", f"{p50:.1f} ms", f"{p(times, 95):.1f} ms",
                     f"{geo_p50 / p50:.1f}x faster than pygeoapi; "
                     f"{p50 / statistics.median(raw_ordered):.2f}x raw SQL (same order), "
                     f"{p50 / statistics.median(raw_any):.2f}x raw SQL (any order)",
                     p50 <= P50_MS and geo_p50 / p50 >= MIN_VS_PYGEOAPI
                     and p50 / statistics.median(raw_ordered) <= MAX_VS_RAW))
    rows.append((f"(a) pygeoapi 0.21 items, {limit:,} features", f"{geo_p50:.1f} ms",
                 f"{p(geo_page, 95):.1f} ms", "baseline (counts the match, converts in Python)",
                 None))
    rows.append(("(a) raw SQL page, ORDER BY updated_at, id",
                 f"{statistics.median(raw_ordered):.1f} ms",
                 f"{p(raw_ordered, 95):.1f} ms", "no policy, no HTTP", None))
    rows.append((f"(a) raw SQL page, first {limit:,} found", f"{statistics.median(raw_any):.1f} ms",
                 f"{p(raw_any, 95):.1f} ms", "no policy, no HTTP", None))
    rows.append(("(b) GeoJSON export (ours, policy applied)",
                 f"{features:,} features in {seconds:.1f} s", f"{ours_rate:,.0f} features/s",
                 f"{ours_rate / copy_rate_:.2f}x COPY rate; {total / seconds:,.0f} incidents "
                 f"scanned/s; {size / seconds / 1e6:.0f} MB/s; "
                 f"{ours_rate / (geo_count / geo_seconds):.0f}x pygeoapi",
                 ours_rate / copy_rate_ >= MIN_VS_COPY))
    rows.append(("(b) COPY (SELECT ST_AsGeoJSON(t.*) FROM incidents t)",
                 f"{copy_rows:,} rows in {copy_seconds:.1f} s", f"{copy_rate_:,.0f} rows/s",
                 "baseline", None))
    rows.append(("(b) pygeoapi through next links", f"{geo_count:,} features in "
                 f"{geo_seconds:.1f} s", f"{geo_count / geo_seconds:,.0f} features/s",
                 f"first {args.pygeoapi_pages} pages of {limit:,} only", None))
    (n_small, base_small, peak_small), (n_full, base_full, peak_full) = \
        memory["small"], memory["full"]
    growth = peak_full - peak_small
    rows.append(("(c) export peak RSS of the worker",
                 f"{n_small:,} features: {peak_small:.0f} MB",
                 f"{n_full:,} features: {peak_full:.0f} MB",
                 f"grows {growth:+.1f} MB (before export: {base_small:.0f} / {base_full:.0f} MB)",
                 growth < MAX_RSS_GROWTH_MB))
    if args.smoke:  # a tiny data set: the figures mean nothing, no target is judged
        rows = [(*row[:4], None) for row in rows]
    return table(rows, total, bbox)


def table(rows, total: int, bbox: str) -> str:
    lines = [f"Partner API benchmark — {total:,} incidents, 1-degree box {bbox}, policy "
             f"{POLICY}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}", "",
             "| measure | result | p95 / rate | against the baselines | target met |",
             "|---|---|---|---|---|"]
    for name, a, b, c, ok in rows:
        met = "" if ok is None else ("yes" if ok else "NO")
        lines.append(f"| {name} | {a} | {b} | {c} | {met} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.partner",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, help="timed requests per row (default 30; 3 with "
                                                 "--smoke)")
    parser.add_argument("--page", type=int, help="features per page (default 1000; 100 with "
                                                 "--smoke)")
    parser.add_argument("--pygeoapi-pages", type=int,
                        help="pages of pygeoapi's pass (default 20; 2 with --smoke)")
    parser.add_argument("--out", help="also write the table (markdown) to this file")
    params, args = generate.parse_args(argv, parser)
    for name, full, smoke in (("runs", 30, 3), ("page", 1000, 100), ("pygeoapi_pages", 20, 2)):
        if getattr(args, name) is None:
            setattr(args, name, smoke if args.smoke else full)
    result = run(args, params)
    print(result)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(result + "\n")
    if args.smoke:  # every page was full and every request answered (asserted); no targets
        print(f"\nSMOKE RUN OK: {params.incidents:,} incidents, pages of {args.page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
