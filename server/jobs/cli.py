"""`flask jobs worker`: the worker process (beside gunicorn; a service of its own in compose and
systemd). `flask jobs status`: how many jobs wait, run, failed."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import text

from ..core.db import db
from . import worker

jobs_cli = AppGroup("jobs", help="The PostgreSQL job queue.")


@jobs_cli.command("worker")
@click.option("--concurrency", default=worker.CONCURRENCY, show_default=True,
              help="Jobs run at once (each on a thread of its own).")
@click.option("--heartbeat", default=10.0, show_default=True, help="Seconds between beats.")
@click.option("--stalled-after", default=30.0, show_default=True,
              help="A worker silent this many seconds is dead: its jobs run again.")
@click.option("--once", is_flag=True, help="Run what is due, then stop.")
@click.option("--poll-only", is_flag=True,
              help="Do not LISTEN for new jobs; only poll (behind a pooler that drops LISTEN).")
@click.option("--poll-interval", default=5.0, show_default=True,
              help="Seconds between polls for jobs.")
def run_worker(concurrency: int, heartbeat: float, stalled_after: float, once: bool,
               poll_only: bool, poll_interval: float):
    """Run jobs until stopped (SIGTERM or Ctrl-C let the current jobs finish)."""
    worker.run(current_app._get_current_object(), concurrency=concurrency, heartbeat=heartbeat,
               stalled_after=stalled_after, wait=not once, listen=not poll_only,
               poll_interval=poll_interval)


@jobs_cli.command("status")
def status():
    """Jobs per task and status."""
    rows = db.session.execute(text(
        "SELECT task_name, status, count(*) FROM procrastinate_jobs GROUP BY 1, 2 "
        "ORDER BY 1, 2")).all()
    for task_name, state, count in rows:
        click.echo(f"{task_name}\t{state}\t{count}")
