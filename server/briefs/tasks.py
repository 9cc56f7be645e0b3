"""The scheduled briefs: once a day the worker makes every scheduled brief of the last complete
month or quarter that is not kept yet (idempotent: a kept edition is never made again)."""
from __future__ import annotations

from ..core.db import db
from ..jobs.registry import task
from . import service


@task("briefs.scheduled", periodic="40 2 * * *", queueing_lock="briefs.scheduled")
def scheduled(timestamp: int | None = None) -> int:
    """Each brief commits with its audit entry (service.generate)."""
    return service.run_schedules(db.session)
