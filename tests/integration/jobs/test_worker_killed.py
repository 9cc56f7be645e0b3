"""A worker killed (SIGKILL) in the middle of a job loses nothing: the job runs again in
another worker, and its effect happens once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from sqlalchemy import create_engine, text

from server import create_app
from server.core.db import db
from server.jobs.enqueue import defer
from tests import factories
from tests.conftest import truncate_all
from tests.integration.alerts.conftest import Inbox

pytestmark = pytest.mark.slow


def _worker(url: str, port: int):
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "test-secret",
           "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none",
           "LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "server", "jobs", "worker",
                             "--heartbeat", "0.5", "--stalled-after", "2", "--concurrency", "1"],
                            env=env)


def _wait(predicate, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_sigkill_mid_job_runs_it_again_and_mails_once(app_config):
    from aiosmtpd.controller import Controller

    from tests.conftest import _free_port

    url = app_config["DATABASE_URL"]
    inbox = Inbox()
    inbox.hold.clear()  # the first mail hangs in DATA: the job is mid-way when killed
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    live = create_app(dict(app_config))
    workers = []
    try:
        with live.app_context():
            session = db.session
            org = factories.organisation(session)
            user = factories.user(session, role="coordinator", organisation=org,
                                  email="killed@example.org")
            rule_id = uuid.uuid4()
            session.execute(text("INSERT INTO alert_rules (id, organisation_id, kind) "
                                 "VALUES (:id, :o, 'incident')"), {"id": rule_id, "o": org.id})
            note = uuid.uuid4()
            session.execute(text(
                "INSERT INTO notifications (id, user_id, rule_id, event_key, kind, summary, "
                "event_at) VALUES (:id, :u, :r, 'incident:x', 'incident', "
                "'{\"facility\": \"Islam Qala\", \"type\": \"x\", \"severity\": 5}', now())"),
                {"id": note, "u": user.id, "r": rule_id})
            defer(session, "alerts.mails", queue="mail", queueing_lock="alerts.mails")
            session.commit()
        workers.append(_worker(url, controller.port))
        assert inbox.arrived.wait(30), "the first worker never started the job"
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(10)
        inbox.fail_held = True  # the cut connection's mail is not delivered
        inbox.hold.set()
        workers.append(_worker(url, controller.port))
        assert _wait(lambda: len(inbox.messages) >= 1, 40), "the job never ran again"
        engine = create_engine(url)

        def statuses():
            with engine.connect() as connection:
                return connection.execute(text(
                    "SELECT status FROM procrastinate_jobs WHERE task_name = 'alerts.mails' "
                    "AND args = '{}'")).scalars().all()  # not the periodic runs

        # the killed job back in the queue runs to its end too (the periodic mailer may have
        # sent the mail first): the mail went out once either way
        assert _wait(lambda: statuses() == ["succeeded"], 30), statuses()
        assert len(inbox.messages) == 1
        with engine.connect() as connection:
            emailed = connection.execute(text("SELECT emailed_at FROM notifications "
                                              "WHERE id = :id"), {"id": note}).scalar()
        engine.dispose()
        assert emailed is not None
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(20)
        controller.stop()
        with live.app_context():
            db.engine.dispose()
        truncate_all(url)
