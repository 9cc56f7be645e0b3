"""Running queued jobs inside the test's transaction: the jobs a test's changes enqueued are
rows of procrastinate_jobs in that same transaction; this runs each through the job's plain
function (the worker's wrapper only adds an app context) and marks it done."""
from __future__ import annotations

from sqlalchemy import text

from server.jobs import registry


def todo(session, task: str | None = None) -> list:
    return session.execute(text(
        "SELECT id, task_name, args FROM procrastinate_jobs WHERE status = 'todo' "
        "AND (CAST(:t AS text) IS NULL OR task_name = :t) ORDER BY id"), {"t": task}).all()


def run_all(session, task: str | None = None, rounds: int = 5) -> list[str]:
    """Run the waiting jobs (and the jobs they enqueue, up to `rounds` deep)."""
    registry.load_all()
    ran = []
    for _ in range(rounds):
        jobs = todo(session, task)
        if not jobs:
            break
        for job in jobs:
            session.execute(text("UPDATE procrastinate_jobs SET status = 'succeeded' "
                                 "WHERE id = :id"), {"id": job.id})
            registry.FUNCTIONS[job.task_name](**job.args)
            ran.append(job.task_name)
    return ran
