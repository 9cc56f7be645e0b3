"""Rolling restarts lose nothing (issue 13): 16 clients send JSON submissions to a real gunicorn
(deploy/gunicorn.conf.py) while it is reloaded (SIGHUP: new workers, the old ones finish what
they hold) and then stopped (SIGTERM: graceful) and started again on the same port. A client
retries a connection error with the same submission id, as the mobile app does. Then: no 5xx,
every acknowledged submission stored exactly once, nothing stored that was not acknowledged,
the old workers exited gracefully and the audit chain verifies."""
from __future__ import annotations

import signal
import time

import pytest
import requests

from tests.conftest import truncate_all
from tests.integration.ops.gunicorn_proc import Burst, Gunicorn, assert_stored_once, seed

CLIENTS = 16


@pytest.fixture()
def monitor(app_config):
    seeded = seed(app_config)
    yield seeded
    truncate_all(app_config["DATABASE_URL"])


class Retrying(Burst):
    """Clients that retry a refused or unanswered connection with growing pauses, noting when
    each request was sent and answered; any answer that is not a success is a problem."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs, Connection="close")
        self.retries = 0
        self.times: list[tuple[float, float]] = []  # (sent, answered) of every response
        self.outstanding = 0  # requests sent and not answered yet

    def submit(self, body: dict) -> None:
        deadline, pause = time.monotonic() + 60, 0.05
        while time.monotonic() < deadline:
            sent = time.monotonic()
            with self.lock:
                self.outstanding += 1
            try:
                response = requests.post(self.url, json=body, headers=self.headers, timeout=60)
            except requests.ConnectionError:  # refused while restarting, or reset unanswered
                with self.lock:
                    self.retries += 1
                    self.outstanding -= 1
                # growing pauses, as the phone's: 16 clients retrying every 50 ms through a
                # restart took the CPU the new workers need to boot (800 retries, not 100)
                time.sleep(pause)
                pause = min(2 * pause, 0.4)
                continue
            with self.lock:
                self.outstanding -= 1
                self.times.append((sent, time.monotonic()))
                self.answered(response.status_code)
                if response.status_code in (200, 201):
                    self.acked.append(body["id"])
                else:
                    self.problems.append(f"{response.status_code} {response.text[:200]}")
            return
        with self.lock:
            self.problems.append(f"{body['id']}: no answer within 60 s")

    def wait_until_busy(self, timeout: float = 30) -> None:
        """Until most clients have a request out (a loaded machine may leave them between
        requests, and a signal then finds nothing to finish)."""
        deadline = time.monotonic() + timeout
        while self.outstanding < CLIENTS // 2:
            assert time.monotonic() < deadline, "the clients never got busy"
            time.sleep(0.005)

    def in_flight_at(self, moment: float) -> int:
        """Requests sent before `moment` and answered after it."""
        with self.lock:
            return sum(sent < moment < answered for sent, answered in self.times)


@pytest.mark.slow
def test_a_burst_through_reload_and_restart_loses_nothing(database_url, monitor, tmp_path):
    server = Gunicorn(database_url, tmp_path, workers=2, threads=4, graceful_timeout=20).start()
    burst = Retrying(server.base, monitor.facility, monitor.token).start(CLIENTS)
    try:
        burst.wait_for_acks(20)
        burst.wait_until_busy()
        reload_at = time.monotonic()
        server.signal(signal.SIGHUP)  # graceful reload: new workers, the old ones drain
        burst.wait_for_acks(16)  # the new workers answer
        burst.wait_until_busy()
        stop_at = time.monotonic()
        assert server.stop() == 0  # SIGTERM: in-flight requests finish, then exit 0
        server.start()  # same port: the clients' retries land here
        burst.wait_for_acks(16)
        burst.stop(90)
    finally:
        burst.done.set()
        server.stop()
    log = "\n".join(server.lines())
    assert not burst.problems, burst.problems[:5]
    assert not [s for s in burst.statuses if s >= 500], burst.statuses
    # Requests were running when a signal came, and they were answered, not cut. (At the
    # SIGTERM the clients' requests may all be in the listen queue rather than in a worker on
    # a loaded machine: those are refused, retried and stored once, which the checks below see.)
    assert burst.in_flight_at(reload_at) + burst.in_flight_at(stop_at) > 0, \
        (burst.in_flight_at(reload_at), burst.in_flight_at(stop_at))
    assert "WORKER TIMEOUT" not in log and "SIGKILL" not in log
    assert log.count("Worker exiting") >= 4  # 2 reloaded away + 2 stopped
    assert_stored_once(database_url, burst.acked)
