"""Webhook jobs: collection (enqueued by the incidents trigger of migration 0013 in the
transaction that changed incidents, and every minute for what time alone changes: embargoes
ending) and delivery (one job per hook at a time, under the hook's lock)."""
from __future__ import annotations

import uuid

from ..core.db import db
from ..jobs.registry import task
from . import service, store


@task("webhooks.collect", periodic="* * * * *", queueing_lock="webhooks.collect", retry=5)
def collect(timestamp: int | None = None) -> int:
    made = 0
    for hook_id in store.active_ids(db.session):
        made += service.collect(db.session, hook_id)
    db.session.rollback()
    return made


@task("webhooks.deliver", queue="webhooks", retry=5)
def deliver(hook_id: str) -> str:
    return service.deliver(db.session, uuid.UUID(hook_id))
