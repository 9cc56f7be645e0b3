"""`flask jobs worker --concurrency N` runs N jobs at once. Jobs are plain functions, which
procrastinate hands to the event loop's default thread pool, and asyncio sizes that pool by
the CPUs (min(32, CPUs + 4): 6 threads on 2 cores): a worker told 8 or 24 ran 6 jobs at a time
and the rest waited, fetched but not started (found by bench/alerts.py, where 24 did better
than 8 only through the jobs fetched ahead). Here N mails each hang in the SMTP server's DATA
until all N have arrived: they must all be under way at once."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from server import create_app
from server.core.db import db
from server.jobs.enqueue import defer
from tests import factories
from tests.conftest import _free_port, truncate_all

pytestmark = pytest.mark.slow

N = min(32, (os.cpu_count() or 1) + 4) + 2  # more than asyncio's default pool has threads


class Sink:
    """Holds every mail in DATA until `release` is set; counts how many are held at once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.held = self.most = 0
        self.release = threading.Event()
        self.messages: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.held += 1
            self.most = max(self.most, self.held)
        while not self.release.is_set():
            await asyncio.sleep(0.05)
        with self.lock:
            self.held -= 1
            self.messages.append(envelope.content.decode("utf8", "replace"))
        return "250 OK"


def _wait(predicate, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_a_worker_runs_as_many_jobs_at_once_as_its_concurrency(app_config):
    url = app_config["DATABASE_URL"]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    live = create_app(dict(app_config))
    worker = None
    try:
        with live.app_context():
            session = db.session
            org = factories.organisation(session)
            user = factories.user(session, role="coordinator", organisation=org,
                                  email="busy@example.org")
            rule_id = uuid.uuid4()
            session.execute(text("INSERT INTO alert_rules (id, organisation_id, kind) "
                                 "VALUES (:id, :o, 'incident')"), {"id": rule_id, "o": org.id})
            # a digest reader: the periodic mailer leaves these to the N one-mail jobs
            session.execute(text("INSERT INTO alert_settings (user_id, email_mode) "
                                 "VALUES (:u, 'daily')"), {"u": user.id})
            for i in range(N):
                note = uuid.uuid4()
                session.execute(text(
                    "INSERT INTO notifications (id, user_id, rule_id, event_key, kind, summary, "
                    "event_at) VALUES (:id, :u, :r, :k, 'incident', "
                    "'{\"facility\": \"Islam Qala\", \"type\": \"x\", \"severity\": 5}', now())"),
                    {"id": note, "u": user.id, "r": rule_id, "k": f"incident:{i}"})
                defer(session, "alerts.mail", {"notification_id": str(note)}, queue="mail")
            session.commit()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "test-secret",
               "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(controller.port),
               "SMTP_SECURITY": "none", "LOG_LEVEL": "WARNING", "DB_POOL_SIZE": str(N)}
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "server", "jobs",
                                   "worker", "--concurrency", str(N)], env=env)
        assert _wait(lambda: sink.most >= 1, 45), "the worker never started"
        # all within well under smtplib's 30 s timeout (which would free the threads held)
        _wait(lambda: sink.most >= N, 15)
        assert sink.most == N, f"{sink.most} jobs at once, not {N}"
        sink.release.set()
        assert _wait(lambda: len(sink.messages) == N, 30)
        engine = create_engine(url)
        with engine.connect() as connection:
            unmailed = connection.execute(text(
                "SELECT count(*) FROM notifications WHERE emailed_at IS NULL")).scalar()
        engine.dispose()
        assert unmailed == 0
    finally:
        sink.release.set()
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(30)
        controller.stop()
        with live.app_context():
            db.engine.dispose()
        truncate_all(url)
