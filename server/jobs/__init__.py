"""The job queue: procrastinate on PostgreSQL (LISTEN/NOTIFY, retries, periodic tasks; no
Redis). Its tables come from migration 0013, like every other table.

- `registry.task` declares a job (run inside an app context of the worker's app);
- `enqueue.defer` puts a job in the caller's transaction: it exists if and only if that
  transaction commits, and the worker is woken by the NOTIFY that the commit delivers;
- `worker.run` is the worker process (`flask jobs worker`), which also puts back in the queue
  the jobs of a worker that died (SIGKILL, power cut) once its heartbeat is stale.

Jobs are written to be run twice: what they change is keyed so that a second run finds it done.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from .cli import jobs_cli
    app.cli.add_command(jobs_cli)
