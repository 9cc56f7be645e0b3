"""A worker killed while delivering a webhook leaves its job `doing` while the next delivery
job of that hook already waits under the same queueing lock. Putting the dead job back in the
queue then broke the queueing lock's uniqueness: the recovery failed every round, the dead job
kept the hook's lock, and the hook received nothing more (found by bench/alerts.py). Now the
dead job gives way to the waiting one (which does the same work), and the others go back."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import create_engine, text

from server import create_app
from server.jobs import worker
from tests.conftest import truncate_all

INSERT = ("INSERT INTO procrastinate_jobs (queue_name, task_name, lock, queueing_lock, args, "
          "status) VALUES ('webhooks', :task, :lock, :qlock, '{}', :status) RETURNING id")


def recover_once(app_config) -> int:
    """worker.recover_once on an app of its own, in a thread of its own: a browser test earlier
    in this process leaves Playwright's event loop running in this one, where asyncio.run()
    refuses to start another."""
    queue = worker.queue_app(create_app(dict(app_config)))

    async def once():
        async with queue.open_async():
            return await worker.recover_once(queue, 2.0)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, once()).result()


def test_a_dead_job_gives_way_to_the_waiting_one_with_its_queueing_lock(app_config):
    url = app_config["DATABASE_URL"]
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            def job(task, lock, qlock, status):
                return conn.execute(text(INSERT), {"task": task, "lock": lock, "qlock": qlock,
                                                   "status": status}).scalar()
            dead = job("webhooks.deliver", "webhook:1", "webhook:1", "doing")
            waiting = job("webhooks.deliver", "webhook:1", "webhook:1", "todo")
            other = job("alerts.mail", None, None, "doing")
        assert recover_once(app_config) == 2
        with engine.connect() as conn:
            status = dict(conn.execute(text(
                "SELECT id, status FROM procrastinate_jobs")).all())
        assert status[waiting] == "todo" and status[other] == "todo"
        assert status[dead] == "failed"  # its hook's lock is free for the waiting job
    finally:
        engine.dispose()
        truncate_all(url)


def test_a_recovered_job_wakes_the_listening_workers_at_once(app_config):
    """Putting a dead worker's job back in the queue sent no notification (procrastinate only
    notifies on insert): the job waited for a worker's next poll (5 s by default). Now the
    workers listening on its queue, or on every queue, are told at once."""
    import json

    import psycopg

    url = app_config["DATABASE_URL"]
    engine = create_engine(url)
    listener = psycopg.connect(worker.libpq_url(url), autocommit=True)
    try:
        with engine.begin() as conn:
            dead = conn.execute(text(INSERT.replace("'webhooks'", "'mail'")), {
                "task": "alerts.mails", "lock": None, "qlock": None,
                "status": "doing"}).scalar()
        listener.execute('LISTEN "procrastinate_queue_v1#mail"')
        listener.execute('LISTEN "procrastinate_any_queue_v1"')
        assert recover_once(app_config) == 1
        heard = {note.channel: json.loads(note.payload)
                 for note in listener.notifies(timeout=10, stop_after=2)}
        assert heard == {channel: {"type": "job_inserted", "job_id": dead} for channel in (
            "procrastinate_queue_v1#mail", "procrastinate_any_queue_v1")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT status FROM procrastinate_jobs WHERE id = :id"),
                                {"id": dead}).scalar() == "todo"
    finally:
        listener.close()
        engine.dispose()
        truncate_all(url)
