"""Periodic upkeep: expired browser sessions, finished jobs."""
from __future__ import annotations

from sqlalchemy import text

from ..accounts import sessions
from ..core.db import db
from .registry import task

KEEP_FINISHED_DAYS = 7


@task("sessions.purge", periodic="*/10 * * * *", queueing_lock="sessions.purge")
def purge_sessions(timestamp: int | None = None) -> int:
    """Expired browser sessions (the same statement as `flask sessions purge`)."""
    removed = sessions.purge_expired(db.session, limit=None)
    db.session.commit()
    return removed


@task("jobs.forget_finished", periodic="17 3 * * *", queueing_lock="jobs.forget_finished")
def forget_finished(timestamp: int | None = None) -> int:
    """Succeeded and cancelled jobs older than a week (failed ones stay until looked at)."""
    removed = db.session.execute(text(
        "DELETE FROM procrastinate_jobs WHERE status IN ('succeeded', 'cancelled') AND id IN "
        "(SELECT job_id FROM procrastinate_events WHERE at < now() - make_interval(days => :d) "
        "AND type IN ('succeeded', 'cancelled'))"), {"d": KEEP_FINISHED_DAYS}).rowcount
    db.session.commit()
    return removed
