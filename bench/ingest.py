"""bench/ingest: concurrent clients submit OpenRosa visits (2 incidents + a ~200 KB photo each)
and JSON visits to the app served by gunicorn on 127.0.0.1, then retry a share of them as a
phone on a flaky link would. Prints submissions/s, p50/p95 latency, the ratio to a raw psycopg
insert of the same rows measured in the same run, and checks that nothing was lost or stored
twice.

    python -m bench.ingest [--openrosa 1500] [--json 3000] [--clients 16] [--retry-share 0.3]
"""
from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_URL = "postgresql+psycopg://nezarat:nezarat@127.0.0.1:5432/nezarat_bench_ingest"
PORT = 5099


def log(message: str) -> None:
    print(message, flush=True)


# -- set-up -----------------------------------------------------------------------------------
def prepare_database() -> dict:
    """A fresh migrated database with one organisation, a monitor, a device token, facilities."""
    subprocess.run([str(ROOT / "scripts/provision-db.sh"), "nezarat_bench_ingest"], check=True)
    from sqlalchemy import create_engine, text
    engine = create_engine(BENCH_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP OWNED BY CURRENT_USER CASCADE"))
    engine.dispose()
    from server import create_app
    from server.core import schema
    schema.upgrade(BENCH_URL)
    app = create_app({"DATABASE_URL": BENCH_URL, "STORAGE_DIR": str(ROOT / "var/bench-storage"),
                      "LOG_LEVEL": "WARNING"})
    with app.app_context():
        from server.accounts import credentials, service as accounts
        from server.core.db import db
        from server.demo import places
        places.load_organisations(lambda items, label: items)
        places.load_facilities(lambda items, label: items)
        org = accounts.find_organisation("Afghan Returnee Rights Monitors (demo)")
        monitor = accounts.create_user(accounts.cli_principal(), {
            "email": "bench.monitor@example.org", "name": "Bench monitor", "role": "monitor",
            "organisation_id": org.id})
        _, token = credentials.create_device_token(accounts.cli_principal(), monitor.id, "bench")
        facilities = [str(f) for f in db.session.execute(
            text("SELECT id FROM facilities ORDER BY name")).scalars()]
    return {"token": token, "facilities": facilities}


def start_server(workers: int) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=BENCH_URL, STORAGE_DIR=str(ROOT / "var/bench-storage"),
               LOG_LEVEL="WARNING", SECRET_KEY="bench", DB_POOL_SIZE="8")
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{PORT}", "--workers",
         str(workers), "--threads", "4", "--worker-class", "gthread", "--log-level", "warning",
         "server.wsgi:app"], cwd=ROOT, env=env)
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


# -- payloads ---------------------------------------------------------------------------------
def photo_200k(seed: int) -> bytes:
    rng = random.Random(seed)
    small = Image.frombytes("RGB", (320, 240), rng.randbytes(320 * 240 * 3))
    image = small.resize((1280, 960)).filter(ImageFilter.GaussianBlur(2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def openrosa_body(facility: str, photo: bytes, rng: random.Random) -> tuple[bytes, str, str]:
    from tests.openrosa_samples import incident_values, submission_xml, visit_values
    xml, instance = submission_xml(
        visit_values(facility, women=rng.randint(0, 80), men=rng.randint(0, 300)),
        photos=["photo.jpg"],
        incidents=[incident_values(type_="forced_return"), incident_values(type_="pushback")])
    boundary = uuid.uuid4().hex
    parts = [
        (f'--{boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
         f'filename="submission.xml"\r\nContent-Type: text/xml\r\n\r\n').encode() + xml + b"\r\n",
        (f'--{boundary}\r\nContent-Disposition: form-data; name="photo.jpg"; '
         f'filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n').encode() + photo + b"\r\n",
        f"--{boundary}--\r\n".encode()]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}", instance


def json_body(facility: str, rng: random.Random) -> tuple[bytes, str, str]:
    now = datetime.now(timezone.utc)
    visit_id = str(uuid.uuid4())
    body = {
        "id": visit_id, "facility_id": facility,
        "started_at": (now - timedelta(hours=2)).isoformat(),
        "ended_at": (now - timedelta(hours=1)).isoformat(),
        "position": {"type": "Point", "coordinates": [71.0849, 34.1148]},
        "position_accuracy_m": 9.0, "access": "full",
        "held": {"women": rng.randint(0, 50), "men": rng.randint(0, 200)},
        "observations": {"water_quantity": rng.randint(2, 30), "meals_regular": "yes"},
        "notes": "bench",
        "incidents": [{"type": "arbitrary_arrest", "occurred_on": date.today().isoformat(),
                       "location_precision": "facility", "severity": 3,
                       "affected": {"men": 2}}]}
    return json.dumps(body).encode(), "application/json", visit_id


# -- load -------------------------------------------------------------------------------------
def send(path: str, body: bytes, content_type: str, token: str, abort: bool = False):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    headers = {"Content-Type": content_type, "Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    conn.request("POST", path, body=body, headers=headers)
    if abort:  # the phone loses the connection before the answer arrives
        conn.close()
        return None, 0.0
    status = conn.getresponse().status
    conn.close()
    return status, time.perf_counter() - started


def run_phase(name, jobs, clients):
    latencies, statuses = [], {}
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for status, latency in pool.map(lambda job: send(*job), jobs):
            if status is not None:
                latencies.append(latency)
                statuses[status] = statuses.get(status, 0) + 1
    elapsed = time.perf_counter() - started
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    result = {"phase": name, "requests": len(jobs), "seconds": elapsed,
              "per_second": len(jobs) / elapsed, "p50_ms": p(0.5), "p95_ms": p(0.95),
              "statuses": statuses}
    log(f"  {name:<28} {result['per_second']:7.1f}/s  p50 {result['p50_ms']:6.1f} ms  "
        f"p95 {result['p95_ms']:6.1f} ms  statuses {statuses}")
    return result


def raw_baseline(n: int, clients: int, facility: str) -> float:
    """The same rows (visit, 2 incidents, attachment, submission record) inserted with psycopg,
    one transaction per submission, same concurrency: the floor the app is compared with."""
    url = BENCH_URL.replace("+psycopg", "")

    def insert(_):
        with psycopg.connect(url) as conn:
            for _ in range(n // clients):
                visit = uuid.uuid4()
                conn.execute("""INSERT INTO visits (id, facility_id, organisation_id, source,
                    started_at, ended_at, access, position, held_women, held_men)
                    SELECT %s, %s, organisation_id, 'json', now() - interval '2 h',
                           now() - interval '1 h', 'full',
                           ST_SetSRID(ST_MakePoint(71.08, 34.11), 4326), 3, 4
                    FROM users WHERE role = 'monitor' LIMIT 1""", (visit, facility))
                for _ in range(2):
                    incident = uuid.uuid4()
                    conn.execute("""INSERT INTO incidents (id, visit_id, organisation_id, type,
                        occurred_on, location, location_precision, severity)
                        SELECT %s, %s, organisation_id, 'pushback', current_date, position,
                               'facility', 3 FROM visits WHERE id = %s""",
                                 (incident, visit, visit))
                conn.execute("INSERT INTO attachments (id, visit_id, filename) VALUES (%s,%s,%s)",
                             (uuid.uuid4(), visit, "photo.jpg"))
                conn.execute("""INSERT INTO submission_records (instance_id, visit_id, version,
                    body_sha256, source) VALUES (%s, %s, 1, repeat('0', 64), 'json')""",
                             (f"raw:{visit}", visit))
                conn.commit()
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(insert, range(clients)))
    elapsed = time.perf_counter() - started
    with psycopg.connect(url) as conn:
        conn.execute("DELETE FROM incidents WHERE visit_id IN (SELECT visit_id FROM "
                     "submission_records WHERE instance_id LIKE 'raw:%%')")
        conn.execute("DELETE FROM visits WHERE id IN (SELECT visit_id FROM submission_records "
                     "WHERE instance_id LIKE 'raw:%%')")
    return (n // clients * clients) / elapsed


def check_exactly_once(expected_ids: set[str]) -> tuple[int, int]:
    url = BENCH_URL.replace("+psycopg", "")
    with psycopg.connect(url) as conn:
        stored = [str(r[0]) for r in conn.execute("SELECT id FROM visits")]
    lost = len(expected_ids - set(stored))
    duplicated = len(stored) - len(set(stored))
    return lost, duplicated


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--openrosa", type=int, default=1500)
    parser.add_argument("--json", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--retry-share", type=float, default=0.3)
    args = parser.parse_args(argv)
    rng = random.Random(7)
    log("bench/ingest: preparing database")
    setup = prepare_database()
    token, facilities = setup["token"], setup["facilities"]
    log(f"building {args.openrosa} OpenRosa and {args.json} JSON payloads")
    photos = [photo_200k(i) for i in range(8)]
    log(f"  photo size ~{sum(map(len, photos)) // len(photos) // 1000} KB")
    openrosa = [openrosa_body(rng.choice(facilities), photos[i % 8], rng)
                for i in range(args.openrosa)]
    jsons = [json_body(rng.choice(facilities), rng) for _ in range(args.json)]
    server = start_server(args.workers)
    try:
        log(f"gunicorn: {args.workers} workers x 4 threads on 127.0.0.1:{PORT}; "
            f"{args.clients} concurrent clients")
        path = f"/key/{token}/submission"
        results = [run_phase("OpenRosa with photo", [(path, b, ct, token) for b, ct, _ in openrosa],
                             args.clients),
                   run_phase("JSON visit", [("/api/submissions", b, ct, token)
                                            for b, ct, _ in jsons], args.clients)]
        # forced retries: a share of both kinds again, some after an aborted first attempt
        retry = rng.sample(openrosa, int(len(openrosa) * args.retry_share))
        retry_json = rng.sample(jsons, int(len(jsons) * args.retry_share))
        aborted = [(path, b, ct, token, True) for b, ct, _ in retry[: len(retry) // 3]]
        jobs = aborted + [(path, b, ct, token) for b, ct, _ in retry] + \
            [("/api/submissions", b, ct, token) for b, ct, _ in retry_json]
        results.append(run_phase("forced retries", jobs, args.clients))
        time.sleep(1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    expected = {str(uuid.UUID(i.removeprefix("uuid:"))) for _, _, i in openrosa} | \
        {i for _, _, i in jsons}
    lost, duplicated = check_exactly_once(expected)
    log("raw psycopg insert of the same rows (baseline)")
    raw = raw_baseline(min(args.json, 2000), args.clients, facilities[0])
    log(f"  raw inserts                  {raw:7.1f}/s")
    log("")
    log("| measure | per second | p50 ms | p95 ms | vs raw psycopg |")
    log("|---|---|---|---|---|")
    for r in results[:2]:
        log(f"| {r['phase']} | {r['per_second']:.0f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
            f"{r['per_second'] / raw:.2f}x |")
    log(f"| raw psycopg insert (same rows) | {raw:.0f} | | | 1.00x |")
    log(f"| forced retries ({len(jobs)} resent, {len(aborted)} aborted first) | lost: {lost} | "
        f"duplicated: {duplicated} | | |")
    ok = results[0]["per_second"] >= 100 and results[1]["per_second"] >= 300 and \
        lost == 0 and duplicated == 0
    log("targets (>= 100 OpenRosa/s with photo, >= 300 JSON/s, 0 lost, 0 duplicated): "
        + ("MET" if ok else "NOT MET"))


if __name__ == "__main__":
    main()
