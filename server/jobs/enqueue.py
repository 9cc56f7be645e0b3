"""Putting a job in the queue inside the caller's transaction (the transactional outbox).

The row goes into procrastinate's table in the same transaction as the change that calls for
it, so a job exists if and only if its change committed; procrastinate's trigger sends the
NOTIFY that wakes a worker, and PostgreSQL delivers it at the commit. `queueing_lock` keeps at
most one waiting job per lock: a second one is dropped (ON CONFLICT DO NOTHING), never an error
that would abort the caller's transaction.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session

from ..core.db import db

# The priority of a pipeline's last step (an alert's mail, a webhook's POST): the worker fetches
# by priority, then in order. Behind a backlog, the step that puts a change out goes before the
# new changes' first steps (alert evaluation, webhook collection), instead of waiting behind the
# same backlog a second time.
LAST_STEP = 10

_INSERT = """
    INSERT INTO procrastinate_jobs (queue_name, task_name, priority, lock, queueing_lock, args,
                                    scheduled_at)
    VALUES (%(queue)s, %(task)s, %(priority)s, %(lock)s, %(queueing_lock)s,
            CAST(%(args)s AS jsonb), %(at)s)
    ON CONFLICT DO NOTHING"""


def defer(session: Session, task: str, args: dict | None = None, *, queue: str = "default",
          priority: int = 0, lock: str | None = None, queueing_lock: str | None = None,
          at: datetime | None = None) -> None:
    db.driver(session).execute(_INSERT, {
        "queue": queue, "task": task, "priority": priority, "lock": lock,
        "queueing_lock": queueing_lock, "args": json.dumps(args or {}, default=str), "at": at})
