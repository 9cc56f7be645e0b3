"""PostgreSQL killed during a burst (issue 13, shared with the hardening issue): 16 clients send
JSON submissions to a real gunicorn (deploy/gunicorn.conf.py) whose database is a scratch
cluster of its own; the postmaster and every backend get SIGKILL mid-burst, and the cluster is
started again (crash recovery) once the clients have had as many 503s as there are clients.
Meanwhile every answer is a success or a 503 with Retry-After, never a 500; a client sends the
same report again after Retry-After, as the phone does; afterwards every acknowledged
submission is stored exactly once, nothing else is, and the audit chain verifies. The shared
cluster is never touched."""
from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from server.core import schema
from server.ops import pgbackrest
from server.ops.cluster import ScratchCluster
from tests.integration.ops.gunicorn_proc import Burst, Gunicorn, assert_stored_once, seed
from tests.integration.ops.scratch import cluster_with_postgis

CLIENTS = 16


class Resending(Burst):
    """Clients that resend a report after a refused connection or a 503; any other answer that
    is not a success is a problem (neither a success nor a proper 503)."""

    def submit(self, body: dict) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                response = requests.post(self.url, json=body, headers=self.headers, timeout=60)
            except requests.ConnectionError:
                time.sleep(0.2)
                continue
            with self.lock:
                self.answered(response.status_code)
            if response.status_code in (200, 201):
                with self.lock:
                    self.acked.append(body["id"])
                return
            if response.status_code == 503 and response.headers.get("Retry-After", "").isdigit():
                # the phone waits Retry-After; the test keeps it short
                time.sleep(min(int(response.headers["Retry-After"]), 1) * 0.5)
                continue
            with self.lock:
                self.problems.append(f"{response.status_code} "
                                     f"{response.headers.get('Retry-After')} {response.text[:200]}")
            return
        with self.lock:
            self.problems.append(f"{body['id']}: not stored within 90 s")

    def wait_for_503s(self, total: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.statuses.get(503, 0) < total:
            assert time.monotonic() < deadline, (self.statuses, self.problems[:3])
            time.sleep(0.05)


def _kill_postgres(cluster: ScratchCluster) -> int:
    """SIGKILL to the postmaster and to each of its children, by pid: a crash, not a stop."""
    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(postmaster)],
                              capture_output=True, text=True).stdout.split()
    for pid in [postmaster, *map(int, children)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(postmaster, 0)
        except ProcessLookupError:
            return len(children)
        time.sleep(0.05)
    raise AssertionError("the postmaster survived SIGKILL")


@pytest.fixture()
def cluster(app_config):
    run_as = pgbackrest._default_user()
    root = Path(tempfile.mkdtemp(prefix="nezarat-kill-"))
    scratch = cluster_with_postgis(root, run_as=run_as, settings={"max_connections": "60"})
    try:
        schema.upgrade(scratch.url("nezarat"))
        yield scratch
    finally:
        scratch.destroy()


@pytest.mark.slow
def test_postgres_killed_during_a_burst_answers_503_and_loses_nothing(app_config, cluster,
                                                                      tmp_path):
    url = cluster.url("nezarat")
    seeded = seed({**app_config, "DATABASE_URL": url})
    server = Gunicorn(url, tmp_path, workers=2, threads=4).start()
    burst = Resending(server.base, seeded.facility, seeded.token).start(CLIENTS)
    try:
        burst.wait_for_acks(30)
        before = dict(burst.statuses)
        assert _kill_postgres(cluster) >= 1  # backends were serving the burst
        # the outage, until the clients have had as many 503s as there are clients (every
        # request meanwhile is answered 503)
        burst.wait_for_503s(before.get(503, 0) + CLIENTS)
        during = dict(burst.statuses)
        cluster.start()  # crash recovery, then the clients' resends are stored
        burst.wait_for_acks(30)
        burst.stop(120)
    finally:
        burst.done.set()
        server.stop()
    log = "\n".join(server.lines())
    errors = [line for line in server.lines() if '"level": "error"' in line]
    assert not burst.problems, "\n".join(errors[:2])
    assert not [s for s in burst.statuses if s >= 500 and s != 503], burst.statuses
    assert during.get(503, 0) > before.get(503, 0), (before, during)  # the outage was seen
    assert "Traceback" not in log and "WORKER TIMEOUT" not in log
    assert_stored_once(url, burst.acked)
