"""A real gunicorn with deploy/gunicorn.conf.py on 127.0.0.1, for the tests that need one (logs,
graceful restarts), and a committed monitor with a device token and a facility in the test
database (emptied afterwards by the caller through conftest.truncate_all)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from server import create_app
from server.core import audit
from server.core.db import db
from tests import factories
from tests.integration.submissions.test_json_api import report

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn as `make run` starts it; stdout (access log) and stderr (gunicorn's and the
    app's log) each in a file of its own."""

    def __init__(self, database_url: str, tmp: Path, *, workers: int = 1, threads: int = 4,
                 graceful_timeout: int | None = None, env: dict | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.stdout = tmp / "gunicorn.stdout"
        self.stderr = tmp / "gunicorn.stderr"
        self.env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "ops-test",
                    "STORAGE_DIR": str(tmp / "storage"), "LOG_LEVEL": "INFO",
                    "PROMETHEUS_MULTIPROC_DIR": str(tmp / "metrics"), "DB_POOL_SIZE": "5",
                    **(env or {})}
        self.env = {k: v for k, v in self.env.items() if v is not None}  # None: unset it
        self.argv = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                     "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
                     "--threads", str(threads)]
        if graceful_timeout is not None:
            self.argv += ["--graceful-timeout", str(graceful_timeout)]
        self.argv.append("server.wsgi:app")
        self.process: subprocess.Popen | None = None

    def start(self) -> "Gunicorn":
        self.spawn()
        self.wait_ready()
        return self

    def spawn(self) -> "Gunicorn":
        """Started, not waited for (wait_ready): something else can start meanwhile."""
        with open(self.stdout, "ab") as out, open(self.stderr, "ab") as err:
            self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=out,
                                            stderr=err)
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.stderr.read_text()[-3000:])
            try:
                if requests.get(f"{self.base}/livez", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer:\n" + self.stderr.read_text()[-3000:])

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def stop(self, timeout: float = 60) -> int:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode if self.process else 0

    def lines(self) -> list[str]:
        return (self.stdout.read_text(errors="replace").splitlines()
                + self.stderr.read_text(errors="replace").splitlines())


class Burst:
    """Clients, each in a thread of its own, sending one report after another to
    /api/submissions as a phone does; how a client retries is its subclass's `submit`. Kept:
    the ids acknowledged, how often each status was answered, and the problems seen."""

    def __init__(self, base: str, facility, token: str, **headers: str):
        self.url = f"{base}/api/submissions"
        self.headers = {"Authorization": f"Bearer {token}", **headers}
        self.facility = facility
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.acked: list[str] = []
        self.statuses: dict[int, int] = {}
        self.problems: list[str] = []
        self.threads: list[threading.Thread] = []

    def submit(self, body: dict) -> None:
        raise NotImplementedError

    def answered(self, status: int) -> None:
        """Counts an answer (call it holding self.lock)."""
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def client(self) -> None:
        while not self.done.is_set():
            self.submit(report(self.facility))

    def start(self, clients: int) -> Burst:
        self.threads = [threading.Thread(target=self.client) for _ in range(clients)]
        for thread in self.threads:
            thread.start()
        return self

    def stop(self, timeout: float) -> None:
        """No new report; each client finishes the one it is sending."""
        self.done.set()
        for thread in self.threads:
            thread.join(timeout)

    def wait_for_acks(self, more: int, timeout: float = 60) -> None:
        wanted = len(self.acked) + more
        deadline = time.monotonic() + timeout
        while len(self.acked) < wanted:
            assert time.monotonic() < deadline, ("the server stopped acknowledging",
                                                 self.statuses, self.problems[:3])
            time.sleep(0.05)


def seed(app_config: dict) -> SimpleNamespace:
    """An organisation, its monitor with a device token, and a facility, committed."""
    app = create_app(dict(app_config))
    with app.app_context():
        session = db.session
        org = factories.organisation(session)
        monitor = factories.user(session, role="monitor", organisation=org)
        facility = factories.facility(session, lon=61.0667, lat=34.6667, name="Islam Qala",
                                      capacity=100, kind="detention_centre")
        token = factories.device_token(session, monitor)
        session.commit()
        found = SimpleNamespace(facility=facility.id, token=token, monitor=monitor.id)
        db.engine.dispose()
    return found


def assert_stored_once(database_url: str, acked: list[str]) -> None:
    """Every acknowledged submission stored exactly once (one visit, its one incident), nothing
    stored that was not acknowledged, and the audit chain verifies."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = dict(connection.execute(text(
                "SELECT id::text, count(*) FROM visits GROUP BY id")).all())
            incidents = connection.execute(text("SELECT count(*) FROM incidents")).scalar()
        with Session(engine) as session:
            checked, problem = audit.verify(session)
    finally:
        engine.dispose()
    assert len(set(acked)) == len(acked)  # one acknowledgement per submission
    assert set(stored) == set(acked) and set(stored.values()) == {1}
    assert incidents == len(acked)  # each report carries one incident: none doubled
    assert problem is None and checked >= len(acked)
