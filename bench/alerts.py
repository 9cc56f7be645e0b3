"""bench/alerts: alert and webhook latency under a steady stream of submissions (issue 20).

Phones' JSON visits go to the app served by gunicorn on 127.0.0.1 at a fixed rate (default 100
per second for 20 s). A share of them (default one in five) reports an incident of severity 4,
which an organisation-wide alert rule (severity >= 4) turns into an in-app notification for the
organisation's coordinator, who takes mail at once (immediate mode); every incident may be
shared with a partner (its policy shares submitted incidents), whose webhook receives each
change. The job worker runs as `flask jobs worker` does, with SMTP to an aiosmtpd sink on
127.0.0.1 and the webhook to an HTTP receiver on 127.0.0.1 (reachable only because this
benchmark creates the worker's app with BENCH_LOOPBACK_WEBHOOKS, which no environment variable
sets).

Latency of each, from the visit's transaction (visits.created_at, its start: a little before
the commit, so the figures err long) to
- in-app: the moment the notification is visible to a coordinator (committed), seen by a
  connection polling every 100 ms (the figures err long by up to 0.1 s);
- SMTP: the mail's arrival at the sink (matched by its Message-ID, the notification's id);
- webhook: the POST's arrival at the receiver (matched by the payload's incident id).

Each phase starts its worker and sends one second of submissions that alert nobody (not
measured) to warm gunicorn and the worker. Baseline, same run, same load: the worker woken by polling alone (`--poll-only`, procrastinate's
default 5 s interval) instead of LISTEN/NOTIFY. Each phase also checks that every alerting visit
made exactly one notification and one mail, and that every incident reached the receiver, once
per idempotency id.

    python -m bench.alerts [--rate 100] [--seconds 20] [--share 0.2] [--poll-interval 5]
                           [--clients 32] [--workers 2] [--threads 8] [--concurrency N]
    python -m bench.alerts --smoke    # 10/s for 3 s, 1 s polling: seconds, checks only

Its database (made anew each run) is nezarat_bench_alerts, or $BENCH_ALERTS_DATABASE_URL; with
--smoke nezarat_bench_smoke_alerts, or $BENCH_SMOKE_ALERTS_DATABASE_URL. Exits 1 when something
was lost or duplicated (and, without --smoke, when a target is missed).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import ingest_load as load  # noqa: E402

SERVER = "postgresql+psycopg://nezarat:nezarat@127.0.0.1:5432/"
BENCH_URL = os.environ.get("BENCH_ALERTS_DATABASE_URL", SERVER + "nezarat_bench_alerts")
SMOKE_URL = os.environ.get("BENCH_SMOKE_ALERTS_DATABASE_URL",
                           SERVER + "nezarat_bench_smoke_alerts")
TARGETS = {"in-app": 2.0, "SMTP": 5.0, "webhook": 2.0}  # p95 seconds
SECRET = "bench-alerts-" + "k" * 40
ORG = "Afghan Returnee Rights Monitors (demo)"
PARTNER = "Humanitarian Data Partner (demo)"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def storage_of(url: str) -> Path:
    return ROOT / "var" / f"storage-{url.rsplit('/', 1)[1]}"


def app_config(url: str, smtp_port: int) -> dict:
    """The settings of the seeding app and of the worker (gunicorn gets the same by env)."""
    return {"DATABASE_URL": url, "STORAGE_DIR": str(storage_of(url)), "SECRET_KEY": SECRET,
            "LOG_LEVEL": "WARNING", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_port,
            "SMTP_SECURITY": "none", "SMTP_FROM": "alerts@bench.invalid",
            "BASE_URL": "https://nezarat.bench.invalid", "BENCH_LOOPBACK_WEBHOOKS": True}


# -- sinks --------------------------------------------------------------------------------------
class Mailbox:
    """aiosmtpd handler: the arrival time of each message, by Message-ID."""

    def __init__(self):
        self.arrived: dict[str, list[float]] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        at = time.time()
        text = envelope.content.decode("utf8", "replace")
        message_id = next((line.split(":", 1)[1].strip().strip("<>").split("@")[0]
                           for line in text.splitlines()
                           if line.lower().startswith("message-id:")), "")
        with self.lock:
            self.arrived.setdefault(message_id, []).append(at)
        return "250 OK"

    def snapshot(self) -> dict:
        with self.lock:
            return {k: list(v) for k, v in self.arrived.items()}


class Receiver:
    """A healthy webhook receiver: the arrival time of each delivery, by idempotency id."""

    def __init__(self):
        self.arrived: dict[str, list[tuple[float, str]]] = {}
        self.requests = 0
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                at = time.time()
                with outer.lock:
                    outer.requests += 1
                    for payload in json.loads(body):  # a batch: the changes, in order
                        outer.arrived.setdefault(payload["id"], []).append(
                            (at, payload.get("incident_id")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def snapshot(self) -> dict:
        with self.lock:
            return {k: list(v) for k, v in self.arrived.items()}


class Watcher:
    """A coordinator's screen, polled every 100 ms: when each visit's first incident
    notification became visible (committed), by visit id."""

    def __init__(self, url: str):
        self.url, self.seen, self.since = url.replace("+psycopg", ""), {}, time.time()
        self.lock, self.stop = threading.Lock(), threading.Event()
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.wait(0.1):
                rows = conn.execute(
                    "SELECT DISTINCT i.visit_id FROM notifications n JOIN incidents i "
                    "ON n.event_key = 'incident:' || i.id WHERE n.created_at >= to_timestamp(%s)",
                    (self.since - 5,)).fetchall()
                at = time.time()
                with self.lock:
                    for (visit_id,) in rows:
                        self.seen.setdefault(str(visit_id), at)

    def snapshot(self) -> dict:
        with self.lock:
            return dict(self.seen)


# -- set-up ---------------------------------------------------------------------------------------
def prepare(url: str, smtp_port: int, hook_url: str) -> dict:
    """A fresh migrated database: the demo organisations and facilities, a monitor with a device
    token, a coordinator (mail at once) with an organisation-wide rule (severity >= 4), and a
    partner sharing submitted incidents with a webhook to `hook_url`."""
    from bench.generate import provision
    provision(url)
    shutil.rmtree(storage_of(url), ignore_errors=True)
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP OWNED BY CURRENT_USER CASCADE"))
    engine.dispose()
    from server import create_app
    from server.core import schema
    schema.upgrade(url)
    app = create_app(app_config(url, smtp_port))
    with app.app_context():
        from server.accounts import credentials
        from server.accounts import service as accounts
        from server.alerts import store as alert_rules
        from server.core.db import db
        from server.demo import places
        from server.partner import service as partners
        from server.webhooks import service as webhooks
        places.load_organisations(lambda items, label: items)
        places.load_facilities(lambda items, label: items)
        cli = accounts.cli_principal()
        org, partner = accounts.find_organisation(ORG), accounts.find_organisation(PARTNER)
        monitor = accounts.create_user(cli, {"email": "bench.monitor@example.org",
                                             "name": "Bench monitor", "role": "monitor",
                                             "organisation_id": org.id})
        accounts.create_user(cli, {"email": "bench.coordinator@example.org",
                                   "name": "Bench coordinator", "role": "coordinator",
                                   "organisation_id": org.id})
        _, token = credentials.create_device_token(cli, monitor.id, "bench")
        alert_rules.add_rule(db.session, org.id, None, "incident", {"min_severity": 4}, None)
        db.session.commit()
        credentials.create_partner_key(cli, partner.id, ["incidents:read"], "bench")
        from server.partner.policy import Policy
        defaults = Policy().as_dict()
        partners.set_policy(partner.id, {**{k: defaults[k] for k in partners.POLICY_FIELDS},
                                         "statuses": ["submitted", "verified"]}, cli)
        webhooks.register(cli, partner.id, hook_url)
        facilities = [str(f) for f in db.session.execute(text(
            "SELECT id FROM facilities WHERE country = 'AFG' ORDER BY name")).scalars()]
    return {"token": token, "facilities": facilities}


def submission(facility: str, severity: int) -> load.Submission:
    now = datetime.now(timezone.utc)
    visit_id = str(uuid.uuid4())
    body = {
        "id": visit_id, "facility_id": facility,
        "started_at": (now - timedelta(hours=2)).isoformat(),
        "ended_at": (now - timedelta(hours=1)).isoformat(),
        "position": {"type": "Point", "coordinates": [71.0849, 34.1148]},
        "position_accuracy_m": 9.0, "access": "full",
        "held": {"women": 10, "men": 40},
        "observations": {"water_quantity": 12, "meals_regular": "yes"},
        "incidents": [{"type": "arbitrary_arrest", "occurred_on": date.today().isoformat(),
                       "location_precision": "facility", "severity": severity,
                       "consent": "share_anonymised", "affected": {"men": 2},
                       "narrative": "bench"}]}
    return load.Submission("json", "/api/submissions", json.dumps(body).encode(),
                           "application/json", visit_id, incidents=1, photos=0)


# -- the worker -----------------------------------------------------------------------------------
def worker_process(url: str, smtp_port: int, listen: bool, poll_interval: float,
                   concurrency: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.alerts", "--run-worker", url, "--smtp-port",
         str(smtp_port), "--poll-interval", str(poll_interval), "--concurrency",
         str(concurrency)] + ([] if listen else ["--poll-only"]),
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))


def run_worker(url: str, smtp_port: int, listen: bool, poll_interval: float,
               concurrency: int) -> None:
    """In the worker subprocess: `flask jobs worker`, with the bench's settings."""
    from server import create_app
    from server.jobs import worker
    app = create_app(app_config(url, smtp_port))
    worker.run(app, concurrency=concurrency, listen=listen, poll_interval=poll_interval,
               name="bench")


def wait_worker(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        while time.monotonic() < deadline:
            if conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone()[0]:
                return
            time.sleep(0.2)
    raise SystemExit("the job worker did not start")


def drained(url: str, seconds: float) -> None:
    """Until no job waits or runs (the warm-up's), or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        while time.monotonic() < deadline and conn.execute(
                "SELECT (SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
                "AND scheduled_at IS NULL) + (SELECT count(*) FROM alert_inbox)").fetchone()[0]:
            time.sleep(0.2)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def jobs_since(url: str, since: float) -> dict:
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        return dict(conn.execute(
            "SELECT j.task_name, count(*) FROM procrastinate_jobs j JOIN procrastinate_events e "
            "ON e.job_id = j.id AND e.type = 'deferred' WHERE e.at >= to_timestamp(%s) "
            "GROUP BY 1 ORDER BY 1", (since,)).fetchall())


# -- one phase -------------------------------------------------------------------------------------
def paced(subs: list, token: str, rate: float, clients: int) -> tuple[list, float]:
    """Send submission i at start + i / rate (or as soon after as a client is free)."""
    start = time.perf_counter() + 0.5

    def job(i: int, sub):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        return load.send(sub, token)

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda pair: job(*pair), enumerate(subs)))
    return results, time.perf_counter() - start


def phase(name: str, url: str, prepared: dict, mailbox: Mailbox, receiver: Receiver,
          args, listen: bool, smtp_port: int) -> dict:
    rng = random.Random(7 if listen else 8)
    n = int(args.rate * args.seconds)
    severities = [4 if rng.random() < args.share else 3 for _ in range(n)]
    subs = [submission(rng.choice(prepared["facilities"]), s) for s in severities]
    alerting = {s.instance_id for s, sev in zip(subs, severities) if sev >= 4}
    warm = [submission(rng.choice(prepared["facilities"]), 3)
            for _ in range(max(10, int(args.rate)))]
    worker = worker_process(url, smtp_port, listen, args.poll_interval, args.concurrency)
    try:
        wait_worker(url)
        paced(warm, prepared["token"], args.rate, args.clients)  # one second, not measured
        drained(url, 30 + 3 * args.poll_interval)
        posts_before, cpu_before, since = receiver.requests, cpu_seconds(worker.pid), time.time()
        watcher = Watcher(url)
        results, seconds = paced(subs, prepared["token"], args.rate, args.clients)
        statuses: dict[int, int] = {}
        for status, _ in results:
            statuses[status] = statuses.get(status, 0) + 1
        log(f"  {name}: {n} submissions in {seconds:.1f} s ({n / seconds:.1f}/s), "
            f"answers {statuses}; waiting for alerts, mails and deliveries")
        visits = [s.instance_id for s in subs]
        done = wait_done(url, visits, alerting, mailbox, receiver,
                         timeout=30 + 6 * args.poll_interval)
        cpu = cpu_seconds(worker.pid) - cpu_before
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
    measured = latencies(url, visits, alerting, mailbox, receiver, watcher.snapshot())
    watcher.stop.set()
    jobs = jobs_since(url, since)
    measured.update(posts=receiver.requests - posts_before, cpu=cpu, jobs=jobs,
                    load=os.getloadavg()[0], submissions=n, per_second=n / seconds, statuses=statuses,
                    complete=done, alerting=len(alerting))
    return measured


def _facts(url: str, visits: list[str]) -> dict:
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        committed = {str(v): t.timestamp() for v, t in conn.execute(
            "SELECT id, created_at FROM visits WHERE id = ANY(%s::uuid[])", (visits,))}
        incidents = {str(i): str(v) for i, v in conn.execute(
            "SELECT id, visit_id FROM incidents WHERE visit_id = ANY(%s::uuid[])", (visits,))}
        notes = conn.execute(
            "SELECT n.id, i.visit_id FROM notifications n JOIN incidents i "
            "ON n.event_key = 'incident:' || i.id WHERE i.visit_id = ANY(%s::uuid[])",
            (visits,)).fetchall()
    return {"committed": committed, "incidents": incidents,
            "notes": [(str(n), str(v)) for n, v in notes]}


def wait_done(url, visits, alerting, mailbox, receiver, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        facts = _facts(url, visits)
        noted = {v for _, v in facts["notes"]}
        mails = mailbox.snapshot()
        mailed = sum(1 for n, _ in facts["notes"] if n in mails)
        hooked = {i for values in receiver.snapshot().values() for _, i in values}
        if noted >= alerting and mailed >= len(alerting) and \
                set(facts["incidents"]) <= hooked:
            return True
        time.sleep(0.5)
    return False


def _stats(values: list[float]) -> dict:
    values = sorted(values)
    if not values:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "max": float("nan")}
    return {"n": len(values), "p50": statistics.median(values),
            "p95": values[min(len(values) - 1, int(0.95 * len(values)))], "max": values[-1]}


def latencies(url, visits, alerting, mailbox, receiver, visible: dict) -> dict:
    facts = _facts(url, visits)
    committed = facts["committed"]
    mails, hooks_arrived = mailbox.snapshot(), receiver.snapshot()
    in_app = [visible[v] - committed[v] for v in alerting if v in visible]
    notes_of: dict[str, int] = {}
    smtp, mails_of = [], {}
    for note, visit in facts["notes"]:
        notes_of[visit] = notes_of.get(visit, 0) + 1
        arrivals = mails.get(note, [])
        mails_of[note] = len(arrivals)
        if arrivals:
            smtp.append(min(arrivals) - committed[visit])
    hooks, per_incident = [], {}
    for arrivals in hooks_arrived.values():
        incident = arrivals[0][1]
        if incident in facts["incidents"]:
            per_incident[incident] = per_incident.get(incident, 0) + 1
            hooks.append(min(a for a, _ in arrivals) - committed[facts["incidents"][incident]])
    problems = {
        "alerting visits without a notification": len(alerting - set(notes_of)),
        "visits with more than one notification": sum(1 for c in notes_of.values() if c > 1),
        "notifications of visits that should not alert": len(set(notes_of) - alerting),
        "notifications not mailed": sum(1 for c in mails_of.values() if c == 0),
        "mails sent twice": sum(1 for c in mails_of.values() if c > 1),
        "incidents never delivered": len(set(facts["incidents"]) - set(per_incident)),
        "deliveries received twice (same idempotency id)": sum(
            1 for a in hooks_arrived.values() if len(a) > 1)}
    return {"in-app": _stats(in_app), "SMTP": _stats(smtp), "webhook": _stats(hooks),
            "problems": {k: v for k, v in problems.items() if v}}


# -- main ------------------------------------------------------------------------------------------
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.alerts",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--rate", type=float, default=100.0, help="submissions per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--share", type=float, default=0.2, help="share of submissions that alert")
    parser.add_argument("--poll-interval", type=float, default=5.0,
                        help="the polling worker's interval (procrastinate's default)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    from server.jobs.worker import CONCURRENCY
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY,
                        help="jobs the worker runs at once (default: flask jobs worker's)")
    parser.add_argument("--url", help="database (made anew)")
    parser.add_argument("--out", help="also write the table to this file")
    parser.add_argument("--run-worker", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--smtp-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--poll-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_worker:
        run_worker(args.run_worker, args.smtp_port, not args.poll_only, args.poll_interval,
                   args.concurrency)
        return 0
    if args.smoke:
        args.rate, args.seconds, args.poll_interval = 10.0, 3.0, 1.0
        args.clients, args.workers, args.threads, args.concurrency = 4, 1, 4, 4
    url = args.url or (SMOKE_URL if args.smoke else BENCH_URL)

    from aiosmtpd.controller import Controller
    mailbox, receiver = Mailbox(), Receiver()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    log(f"[bench] preparing {url.rsplit('/', 1)[1]}")
    prepared = prepare(url, smtp_port, receiver.url)
    server = load.start_server({"DATABASE_URL": url, "STORAGE_DIR": str(storage_of(url)),
                                "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING"},
                               args.workers, args.threads)
    results = {}
    try:
        for name, listen in (("LISTEN/NOTIFY", True),
                             (f"polling every {args.poll_interval:g} s", False)):
            results[name] = phase(name, url, prepared, mailbox, receiver, args, listen,
                                  smtp_port)
    finally:
        server.terminate()
        server.wait(30)
        controller.stop()
        receiver.server.shutdown()
    return report(results, args)


def report(results: dict, args) -> int:
    notify, poll = list(results.values())
    lines = [f"Alerts benchmark — {args.rate:g} submissions/s for {args.seconds:g} s, "
             f"{args.share:.0%} alerting; worker concurrency {args.concurrency}, gunicorn "
             f"{args.workers} x {args.threads}",
             f"Achieved: {notify['per_second']:.1f}/s and {poll['per_second']:.1f}/s; "
             f"{notify['alerting']} and {poll['alerting']} alerting visits; webhook POSTs "
             f"{notify['posts']} and {poll['posts']} (batches); load average (1 min) at the "
             f"end of each phase {notify['load']:.1f} and {poll['load']:.1f}",
             "", "| latency from the visit's commit | LISTEN/NOTIFY p50 / p95 / max (s) | "
             f"polling every {args.poll_interval:g} s p50 / p95 (s) | p95 ratio | "
             "target p95 | met |", "|---|---|---|---|---|---|"]
    ok = True
    for measure, target in TARGETS.items():
        a, b = notify[measure], poll[measure]
        met = a["p95"] <= target
        ok = ok and met
        ratio = b["p95"] / a["p95"] if a["p95"] else float("nan")
        lines.append(f"| {measure} (n={a['n']}) | {a['p50']:.2f} / {a['p95']:.2f} / "
                     f"{a['max']:.2f} | {b['p50']:.2f} / {b['p95']:.2f} | {ratio:.1f}x | "
                     f"<= {target:g} s | {'' if args.smoke else ('yes' if met else 'NO')} |")
    for name, r in results.items():
        total = sum(r["jobs"].values())
        lines.append(f"{name}: the worker ran {total} jobs for {r['cpu']:.1f} s of CPU "
                     f"({1000 * r['cpu'] / max(total, 1):.1f} ms a job): "
                     + ", ".join(f"{k} {v}" for k, v in r["jobs"].items()))
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    problems = {name: r["problems"] for name, r in results.items() if r["problems"]}
    incomplete = [name for name, r in results.items() if not r["complete"]]
    failed = {name: r["statuses"] for name, r in results.items()
              if set(r["statuses"]) - {201}}
    for name, found in problems.items():
        print(f"PROBLEM ({name}): {found}")
    if incomplete:
        print(f"PROBLEM: not everything arrived in time in {incomplete}")
    if failed:
        print(f"PROBLEM: submissions not accepted: {failed}")
    if problems or incomplete or failed:
        return 1
    return 0 if args.smoke or ok else 1


if __name__ == "__main__":
    sys.exit(main())
