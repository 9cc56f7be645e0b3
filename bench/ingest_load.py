"""The load side of bench/ingest: gunicorn, the HTTP clients and a CPU meter.

Clients are threads of one process speaking raw http.client over keep-alive connections (as a
phone's HTTP stack does) with bodies built beforehand, so they take as little of the machine's
CPU as possible. The CPU meter reads what the server (gunicorn workers and the PostgreSQL
backends of the bench database) and the client spent, so that a run on a busy machine still
says what one submission costs.
"""
from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PORT = 5099  # start_server() takes a free one: benchmarks of other checkouts may be running
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Submission:
    door: str  # "openrosa" | "json"
    path: str
    body: bytes
    content_type: str
    instance_id: str  # the visit's uuid
    incidents: int
    photos: int


# -- gunicorn ---------------------------------------------------------------------------------
def start_server(env: dict, workers: int, threads: int) -> subprocess.Popen:
    global PORT
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        PORT = s.getsockname()[1]
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{PORT}",
         "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
         "--keep-alive", "5", "--log-level", "warning", "server.wsgi:app"],
        cwd=ROOT, env=dict(os.environ, **env))
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


# -- clients ----------------------------------------------------------------------------------
_local = threading.local()


def _connection() -> http.client.HTTPConnection:
    if getattr(_local, "conn", None) is None:
        _local.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    return _local.conn


def send(sub: Submission, token: str) -> tuple[int, float]:
    """POST on this thread's keep-alive connection; (status, seconds)."""
    headers = {"Content-Type": sub.content_type, "Authorization": f"Bearer {token}"}
    for attempt in (1, 2):  # the server may have closed an idle keep-alive connection
        conn = _connection()
        started = time.perf_counter()
        try:
            conn.request("POST", sub.path, body=sub.body, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status, time.perf_counter() - started
        except (http.client.RemoteDisconnected, ConnectionError):
            conn.close()
            _local.conn = None
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def send_and_lose_answer(sub: Submission, token: str) -> None:
    """A phone that sends a whole submission and loses the connection before the answer."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    conn.request("POST", sub.path, body=sub.body, headers={
        "Content-Type": sub.content_type, "Authorization": f"Bearer {token}"})
    conn.close()


def run(jobs: list, clients: int) -> tuple[list, float]:
    """Run callables on `clients` threads; (their results, seconds)."""
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda job: job(), jobs))
    return results, time.perf_counter() - started


def summary(name: str, timed: list[tuple[int, float]], seconds: float, cpu: dict) -> dict:
    latencies = sorted(t for _, t in timed)
    statuses: dict[int, int] = {}
    for status, _ in timed:
        statuses[status] = statuses.get(status, 0) + 1
    n = len(timed)
    return {"phase": name, "requests": n, "seconds": seconds, "per_second": n / seconds,
            "p50_ms": statistics.median(latencies) * 1000,
            "p95_ms": latencies[min(n - 1, int(0.95 * n))] * 1000, "statuses": statuses,
            "cpu_ms": {k: v * 1000 / n for k, v in cpu.items()}}


# -- CPU meter --------------------------------------------------------------------------------
def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _children(parent: int) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                ppid = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[1]
            except OSError:
                continue
            if int(ppid) == parent:
                pids.append(int(entry.name))
    return pids


class CpuMeter:
    """CPU spent between start() and stop() by the app (gunicorn master and workers), the
    database (backends connected to the bench database) and this client process."""

    def __init__(self, db_url: str, server_pid: int | None):
        self.db_url, self.server_pid = db_url, server_pid

    def _sample(self) -> dict:
        with psycopg.connect(self.db_url) as conn:
            backends = [r[0] for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")]
        app = [self.server_pid] + _children(self.server_pid) if self.server_pid else []
        return {"app": {p: _cpu_seconds(p) for p in app},
                "db": {p: _cpu_seconds(p) for p in backends},
                "client": time.process_time()}

    def start(self) -> None:
        self.before = self._sample()

    def stop(self) -> dict:
        after = self._sample()
        spent = {"client": after["client"] - self.before["client"]}
        for part in ("app", "db"):  # a process that appeared meanwhile started from zero
            spent[part] = sum(cpu - self.before[part].get(pid, 0.0)
                              for pid, cpu in after[part].items())
        return spent
