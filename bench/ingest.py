"""bench/ingest: concurrent clients submit OpenRosa visits (2 incidents + a ~200 KB photo each)
and JSON visits (1 incident) to the app served by gunicorn on 127.0.0.1; then a share of both
kinds loses its first answer (the client hangs up after sending) and is sent again, and a share
of the stored ones is resent as a phone on a flaky link would. It prints submissions/s, p50/p95
latency, the CPU one submission costs (gunicorn + PostgreSQL backends + client, read from
/proc, so a run on a busy machine still says what a submission costs, and what the cores could
do if they did nothing else), the ratio to a raw psycopg insert of the same rows measured in the
same run, and checks door by door that nothing was lost or stored twice and that the audit
chain still verifies.

    python -m bench.ingest [--openrosa 1500] [--json 3000] [--clients 16] [--workers 3]
                           [--threads 4] [--lost-share 0.1] [--resend-share 0.2] [--out FILE]
    python -m bench.ingest --smoke    # 10 + 20 submissions, 4 clients: seconds, checks only

Its database (made anew each run) is nezarat_bench_ingest, or $BENCH_INGEST_DATABASE_URL; with
--smoke nezarat_bench_smoke_ingest, or $BENCH_SMOKE_INGEST_DATABASE_URL. Exits 1 when a
submission was lost or stored twice or the audit chain broke (speed targets only print).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import sys
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import ingest_load as load  # noqa: E402
from bench import ingest_raw as raw  # noqa: E402
from bench.ingest_load import Submission  # noqa: E402

SERVER = "postgresql+psycopg://nezarat:nezarat@127.0.0.1:5432/"
BENCH_URL = os.environ.get("BENCH_INGEST_DATABASE_URL", SERVER + "nezarat_bench_ingest")
SMOKE_URL = os.environ.get("BENCH_SMOKE_INGEST_DATABASE_URL", SERVER + "nezarat_bench_smoke_ingest")
TARGETS = {"openrosa": 100, "json": 300}
SMOKE = {"openrosa": 10, "json": 20, "clients": 4, "workers": 1, "threads": 2}
# set by use_database(): the database of this run, as SQLAlchemy and libpq URLs, and its photos
DB = BENCH_URL.rsplit("/", 1)[1]
PLAIN_URL = BENCH_URL.replace("+psycopg", "")
STORAGE = ROOT / "var" / f"storage-{DB}"


def use_database(url: str) -> None:
    global BENCH_URL, PLAIN_URL, DB, STORAGE
    BENCH_URL, PLAIN_URL = url, url.replace("+psycopg", "")
    DB = url.rsplit("/", 1)[1]
    STORAGE = ROOT / "var" / f"storage-{DB}"  # each database its own photos


def log(message: str) -> None:
    print(message, flush=True)


# -- set-up -----------------------------------------------------------------------------------
def prepare_database() -> dict:
    """A fresh migrated database with one organisation, a monitor, a device token, facilities."""
    from bench.generate import provision
    provision(BENCH_URL)
    shutil.rmtree(STORAGE, ignore_errors=True)  # every photo of this run is written anew
    from sqlalchemy import create_engine, text
    engine = create_engine(BENCH_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP OWNED BY CURRENT_USER CASCADE"))
    engine.dispose()
    from server import create_app
    from server.core import schema
    schema.upgrade(BENCH_URL)
    app = create_app({"DATABASE_URL": BENCH_URL, "STORAGE_DIR": str(STORAGE),
                      "LOG_LEVEL": "WARNING"})
    with app.app_context():
        from server.accounts import credentials
        from server.accounts import service as accounts
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


# -- payloads (built before the clock starts) ---------------------------------------------------
def photo_base(seed: int) -> Image.Image:
    """A 1280x960 picture that JPEG-encodes to ~200 KB (blurred noise, like a dim room)."""
    rng = random.Random(seed)
    small = Image.frombytes("RGB", (320, 240), rng.randbytes(320 * 240 * 3))
    return small.resize((1280, 960)).filter(ImageFilter.GaussianBlur(2))


def photo_200k(base: Image.Image, n: int) -> bytes:
    """A distinct photo for each submission (a patch of its own), as phones send: identical
    bytes would be stored once and spare the server its file writes."""
    image = base.copy()
    rng = random.Random(n)
    x, y = 8 * (n % 150), 8 * (n // 150 % 110)
    image.paste(tuple(rng.randrange(256) for _ in range(3)), (x, y, x + 24, y + 24))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def openrosa_submission(facility: str, photo: bytes, rng: random.Random,
                        token: str) -> Submission:
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
    return Submission("openrosa", f"/key/{token}/submission", b"".join(parts),
                      f"multipart/form-data; boundary={boundary}",
                      str(uuid.UUID(instance.removeprefix("uuid:"))), incidents=2, photos=1)


def json_submission(facility: str, rng: random.Random) -> Submission:
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
                       "affected": {"men": 2}, "narrative": "bench"}]}
    return Submission("json", "/api/submissions", json.dumps(body).encode(),
                      "application/json", visit_id, incidents=1, photos=0)


# -- phases -----------------------------------------------------------------------------------
def throughput(name: str, subs: list[Submission], token: str, clients: int, meter) -> dict:
    meter.start()
    timed, seconds = load.run([lambda s=s: load.send(s, token) for s in subs], clients)
    result = load.summary(name, timed, seconds, meter.stop())
    log(f"  {name:<30} {result['per_second']:7.1f}/s  p50 {result['p50_ms']:6.1f} ms  "
        f"p95 {result['p95_ms']:6.1f} ms  CPU/submission {_cpu(result)}  {result['statuses']}")
    return result


def forced_retries(lost: list[Submission], resent: list[Submission], token: str, clients: int,
                   rng: random.Random) -> dict:
    """First attempts whose answer is lost, each followed by a retry; resends of stored ones."""
    def lose_then_retry(s: Submission):
        load.send_and_lose_answer(s, token)
        return load.send(s, token)
    jobs = [lambda s=s: lose_then_retry(s) for s in lost] + \
        [lambda s=s: load.send(s, token) for s in resent]
    rng.shuffle(jobs)
    timed, seconds = load.run(jobs, clients)
    statuses: dict[int, int] = {}
    for status, _ in timed:
        statuses[status] = statuses.get(status, 0) + 1
    log(f"  forced retries: {len(lost)} lost answers then retried, {len(resent)} resent "
        f"-> statuses {statuses}")
    return {"lost_first": len(lost), "resent": len(resent), "statuses": statuses}


def _cpu(result: dict) -> str:
    c = result["cpu_ms"]
    return (f"{sum(c.values()):.1f} ms (app {c.get('app', 0):.1f} + db {c['db']:.1f} + "
            f"client {c['client']:.1f})")


# -- checks -----------------------------------------------------------------------------------
def exactly_once(expected: list[Submission]) -> dict:
    """Per door: `lost` = sent but not stored whole; `duplicated` = stored more than once (a
    second submission record, audit entry, incident or photo row); `unexpected` = visits no
    client sent."""
    with psycopg.connect(PLAIN_URL) as conn:
        files = {str(v): sha for v, sha in conn.execute(
            "SELECT visit_id, sha256 FROM attachments WHERE sha256 IS NOT NULL")}
        stored = {str(r[0]): r[1:] for r in conn.execute("""
            SELECT v.id,
                   (SELECT count(*) FROM incidents i WHERE i.visit_id = v.id),
                   (SELECT count(*) FROM attachments a WHERE a.visit_id = v.id),
                   (SELECT count(*) FROM attachments a WHERE a.visit_id = v.id
                                                         AND a.sha256 IS NOT NULL),
                   (SELECT count(*) FROM submission_records r WHERE r.visit_id = v.id),
                   (SELECT count(*) FROM audit_log l WHERE l.target_type = 'visit'
                       AND l.target_id = v.id::text AND l.action = 'visit.submit')
            FROM visits v""")}
    report = {door: {"lost": 0, "duplicated": 0} for door in ("openrosa", "json")}
    for sub in expected:
        counts = stored.pop(sub.instance_id, None)
        door = report[sub.door]
        if counts is None or counts[0] < sub.incidents or counts[2] < sub.photos or \
                counts[3] < 1 or counts[4] < 1 or not _file_kept(files.get(sub.instance_id)):
            door["lost"] += 1
        elif counts[0] > sub.incidents or counts[1] > sub.photos or counts[3] > 1 or \
                counts[4] > 1:
            door["duplicated"] += 1
    report["unexpected"] = len(stored)
    return report


def _file_kept(sha256: str | None) -> bool:
    """The photo is on disk (when the visit has a received photo); thumbnails are made when
    first viewed, so none is expected here."""
    if sha256 is None:
        return True
    return (STORAGE / sha256[:2] / sha256[2:4] / f"{sha256}.jpg").is_file()


def audit_chain() -> str:
    """`flask audit verify` on the bench database: the chain must hold after all this."""
    from server import create_app
    from server.core import audit
    from server.core.db import db
    app = create_app({"DATABASE_URL": BENCH_URL, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        checked, problem = audit.verify(db.session)
    return f"{checked} entries, intact" if problem is None else f"BROKEN: {problem}"


def raw_baseline(door: str, n: int, clients: int) -> dict:
    meter = load.CpuMeter(PLAIN_URL, None)
    seconds, cpu = raw.run(PLAIN_URL, door, n, clients, meter)
    result = {"per_second": n / seconds, "cpu_ms": {k: v * 1000 / n for k, v in cpu.items()}}
    log(f"  raw psycopg, {door} rows{'':<12} {result['per_second']:7.1f}/s  "
        f"CPU/submission {_cpu(result)}")
    return result


# -- report -----------------------------------------------------------------------------------
def _ceiling(result: dict) -> str:
    """Submissions/s if the machine's cores did nothing else (CPU-bound, no waiting)."""
    return f"{(os.cpu_count() or 1) * 1000 / sum(result['cpu_ms'].values()):.0f}"


def table(results: dict, raws: dict, retries: dict, checks: dict, chain: str, setup: str) -> str:
    lines = [f"Run: {setup}", "",
             "| measure | per second | p50 ms | p95 ms | CPU ms per submission "
             "(app + db + client) | CPU-bound ceiling, per second | vs raw psycopg |",
             "|---|---|---|---|---|---|---|"]
    for door, label in (("openrosa", "OpenRosa visit, 2 incidents + ~200 KB photo"),
                        ("json", "JSON visit, 1 incident")):
        r, b = results[door], raws[door]
        lines.append(f"| {label} | {r['per_second']:.0f} | {r['p50_ms']:.0f} | "
                     f"{r['p95_ms']:.0f} | {_cpu(r)} | {_ceiling(r)} | "
                     f"{r['per_second'] / b['per_second']:.2f}x |")
    for door in ("openrosa", "json"):
        b = raws[door]
        lines.append(f"| raw psycopg insert of the same rows ({door}) | "
                     f"{b['per_second']:.0f} | | | {_cpu(b)} | {_ceiling(b)} | 1.00x |")
    lines += ["", f"Forced retries: {retries['lost_first']} first attempts lost their answer "
              f"and were retried, {retries['resent']} stored submissions resent "
              f"(statuses {retries['statuses']}).", ""]
    for door in ("openrosa", "json"):
        lines.append(f"- {door}: lost {checks[door]['lost']}, duplicated "
                     f"{checks[door]['duplicated']}")
    lines.append(f"- visits no client sent: {checks['unexpected']}; audit chain: {chain}")
    return "\n".join(lines)


def verdict(results: dict, checks: dict) -> str:
    met = all(results[d]["per_second"] >= t for d, t in TARGETS.items()) and \
        not checks["unexpected"] and \
        all(checks[d]["lost"] == 0 and checks[d]["duplicated"] == 0 for d in TARGETS)
    return ("targets (>= 100 OpenRosa/s with photo, >= 300 JSON/s, 0 lost, 0 duplicated): "
            + ("MET" if met else "NOT MET"))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true",
                        help="a few submissions in a database of their own: checks that the "
                             "benchmark works and nothing is lost or duplicated; measures nothing")
    defaults = {"openrosa": 1500, "json": 3000, "clients": 16, "workers": 3, "threads": 4}
    for name, default in defaults.items():
        parser.add_argument(f"--{name}", type=int,
                            help=f"default {default} ({SMOKE[name]} with --smoke)")
    parser.add_argument("--lost-share", type=float, default=0.1)
    parser.add_argument("--resend-share", type=float, default=0.2)
    parser.add_argument("--url", help="its database, emptied each run (default: "
                                      f"{BENCH_URL.rsplit('/', 1)[1]}; "
                                      f"{SMOKE_URL.rsplit('/', 1)[1]} with --smoke)")
    parser.add_argument("--out", help="also write the table to this file")
    args = parser.parse_args(argv)
    for name, default in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, SMOKE[name] if args.smoke else default)
    args.url = args.url or (SMOKE_URL if args.smoke else BENCH_URL)
    return args


def sound(checks: dict, chain: str) -> bool:
    """Nothing lost, nothing stored twice, no visit from nowhere, the audit chain intact."""
    return not checks["unexpected"] and chain.endswith("intact") and \
        all(checks[d]["lost"] == 0 and checks[d]["duplicated"] == 0 for d in TARGETS)


def main(argv=None) -> int:
    args = parse_args(argv)
    use_database(args.url)
    rng = random.Random(7)
    log("bench/ingest: preparing database")
    setup = prepare_database()
    token, facilities = setup["token"], setup["facilities"]
    log(f"building {args.openrosa} OpenRosa and {args.json} JSON submissions")
    bases = [photo_base(i) for i in range(8)]
    subs = {"openrosa": [openrosa_submission(rng.choice(facilities),
                                             photo_200k(bases[i % 8], i), rng, token)
                         for i in range(args.openrosa)],
            "json": [json_submission(rng.choice(facilities), rng) for _ in range(args.json)]}
    held_back = {d: s[: int(len(s) * args.lost_share)] for d, s in subs.items()}
    fresh = {d: s[len(held_back[d]):] for d, s in subs.items()}
    env = {"DATABASE_URL": BENCH_URL, "STORAGE_DIR": str(STORAGE), "LOG_LEVEL": "WARNING",
           "SECRET_KEY": "bench", "DB_POOL_SIZE": str(max(4, args.threads))}
    load_before = os.getloadavg()[0]
    server = load.start_server(env, args.workers, args.threads)
    try:
        run_setup = (f"{os.cpu_count()} CPUs, load average {load_before:.1f} at the start; "
                     f"gunicorn gthread {args.workers} workers x {args.threads} threads; "
                     f"{args.clients} concurrent clients on keep-alive connections")
        log(run_setup)
        meter = load.CpuMeter(PLAIN_URL, server.pid)
        results = {"openrosa": throughput("OpenRosa with photo", fresh["openrosa"], token,
                                          args.clients, meter),
                   "json": throughput("JSON visit", fresh["json"], token, args.clients, meter)}
        resent = [s for d in subs for s in rng.sample(fresh[d], int(len(fresh[d]) *
                                                              args.resend_share))]
        retries = forced_retries(held_back["openrosa"] + held_back["json"], resent, token,
                                 args.clients, rng)
    finally:
        server.terminate()
        server.wait(30)
    checks = exactly_once(subs["openrosa"] + subs["json"])
    chain = audit_chain()
    log("raw psycopg insert of the same rows (baseline, same run, same concurrency)")
    raws = {d: raw_baseline(d, min(len(fresh[d]), 1500), args.clients) for d in TARGETS}
    run_setup += f"; load average {os.getloadavg()[0]:.1f} at the end"
    report = table(results, raws, retries, checks, chain, run_setup)
    log("\n" + report + "\n")
    if not args.smoke:  # a smoke run's speeds mean nothing
        log(verdict(results, checks))
    if args.out:
        Path(args.out).write_text(report + "\n\n" + verdict(results, checks) + "\n")
    shutil.rmtree(STORAGE, ignore_errors=True)
    if not sound(checks, chain):
        log("FAILED: submissions lost or duplicated, or the audit chain broken")
        return 1
    if args.smoke:
        log(f"SMOKE RUN OK: {len(subs['openrosa'])} OpenRosa + {len(subs['json'])} JSON "
            "submissions, each stored once; audit chain intact")
    return 0


if __name__ == "__main__":
    sys.exit(main())
