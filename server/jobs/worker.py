"""The worker process: procrastinate's worker over our jobs, in the app's context.

A worker killed mid-job (SIGKILL, OOM, power cut) leaves its job `doing`. Every worker checks,
every `stalled_after` seconds, for jobs of workers whose heartbeat is older than that, and puts
them back in the queue: the job runs again, and since jobs are idempotent its effect happens
once.
"""
from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor

import procrastinate
from flask import Flask
from procrastinate.manager import get_channel_for_queues

from . import registry

log = logging.getLogger(__name__)

# Jobs run at once by default (`flask jobs worker --concurrency`), each on a thread: they wait on
# PostgreSQL, SMTP and partners' receivers (a POST may take 10 s) more than they compute, so a
# few slow ones must not hold every slot. Each holds one of the app's database connections
# while it runs (DB_POOL_SIZE 10, as many again in overflow).
CONCURRENCY = 16


def libpq_url(url: str) -> str:
    """SQLAlchemy's URL (postgresql+psycopg://...) as libpq reads it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def queue_app(app: Flask) -> procrastinate.App:
    registry.bind(app)
    connector = procrastinate.PsycopgConnector(conninfo=libpq_url(app.config["DATABASE_URL"]),
                                               min_size=1, max_size=4)
    queue = procrastinate.App(connector=connector)
    registry.declare_on(queue)
    return queue


async def recover_once(queue: procrastinate.App, stalled_after: float) -> int:
    """Put back in the queue the jobs of workers that stopped beating; how many were handled.
    A dead job whose queueing lock another job already holds while waiting (the next delivery
    to the same webhook) gives way to it: it is marked failed, which frees its lock, and the
    waiting job does the same work (such jobs take what is pending, whoever enqueued them)."""
    handled = 0
    for job in await queue.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
        log.warning("job %s (%s) of a dead worker goes back in the queue", job.id,
                    job.task_name)
        try:
            await queue.job_manager.retry_job(job)
        except procrastinate.exceptions.UniqueViolation:
            log.warning("job %s (%s) gives way to the waiting job with its queueing lock %s",
                        job.id, job.task_name, job.queueing_lock)
            await queue.job_manager.finish_job_by_id_async(
                job.id, status=procrastinate.jobs.Status.FAILED, delete_job=False)
        else:
            await _wake_workers(queue, job)
        handled += 1
    return handled


async def _wake_workers(queue: procrastinate.App, job: procrastinate.jobs.Job) -> None:
    """The notification procrastinate sends when a job is inserted, for a job put back: its
    retry sends none, and the workers would leave it waiting until their next poll (5 s)."""
    payload = json.dumps({"type": "job_inserted", "job_id": job.id})
    for channel in [*get_channel_for_queues([job.queue]), *get_channel_for_queues(None)]:
        await queue.connector.execute_query_async("SELECT pg_notify(%(channel)s, %(payload)s)",
                                                  channel=channel, payload=payload)


async def recover(queue: procrastinate.App, stalled_after: float) -> None:
    """Every `stalled_after` seconds, recover_once."""
    while True:
        await asyncio.sleep(stalled_after)
        try:
            await recover_once(queue, stalled_after)
        except Exception:  # the database away for a moment: try again next round
            log.warning("could not look for stalled jobs", exc_info=True)


def run(app: Flask, *, concurrency: int = CONCURRENCY, heartbeat: float = 10.0,
        stalled_after: float = 30.0, wait: bool = True, name: str | None = None,
        listen: bool = True, poll_interval: float = 5.0) -> None:
    """`listen`: woken by the NOTIFY of each new job (the default); without it the worker only
    polls every `poll_interval` seconds (for a connection pooler that drops LISTEN, e.g.
    PgBouncer in transaction mode; and bench/alerts.py's baseline).

    Jobs are plain functions, which procrastinate runs on the event loop's default thread
    pool: asyncio sizes it by the CPUs (6 threads on 2 cores), whatever `concurrency` says, so
    the pool is made `concurrency` threads wide here."""
    queue = queue_app(app)

    async def main():
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(concurrency, thread_name_prefix="job"))
        async with queue.open_async():
            side = asyncio.create_task(recover(queue, stalled_after))
            try:
                await queue.run_worker_async(
                    concurrency=concurrency, wait=wait, name=name,
                    update_heartbeat_interval=heartbeat, stalled_worker_timeout=stalled_after,
                    install_signal_handlers=wait, listen_notify=listen,
                    fetch_job_polling_interval=poll_interval)
            finally:
                side.cancel()

    asyncio.run(main())
