"""Backups, as the commands and the health check see them: a pgBackRest backup of the cluster
with the audit head of that moment noted in it, the photo store copied beside it, and the
outcome kept in BACKUP_DIR/last-backup.json for /healthz and /metrics."""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import text

from ..core import audit
from ..core.db import db
from . import pgbackrest, photos

STATUS = "last-backup.json"


def photo_dir(config: dict) -> Path:
    return Path(config["BACKUP_DIR"]) / "photos"


def audit_head_text() -> str | None:
    """seq:hash of the audit chain now, as `flask audit verify --anchor` takes it."""
    found = audit.head(db.session)
    db.session.rollback()
    return f"{found[0]}:{found[1]}" if found else None


@dataclass
class Outcome:
    label: str
    type: str
    finished_at: float
    seconds: float
    size: int
    repo_size: int
    audit_head: str | None
    photos_copied: int
    photos_total: int


def backup(config: dict, kind: str = "diff") -> Outcome:
    """Photos first (a database backup never names a photo the copy lacks), then the database
    with the audit head noted in it, then the status file. Raises BackupError on failure."""
    began = time.monotonic()
    head = audit_head_text()
    report = photos.sync(Path(config["STORAGE_DIR"]), photo_dir(config))
    if report.problems:
        raise pgbackrest.BackupError("photo copy: " + "; ".join(report.problems[:5]))
    taken = pgbackrest.backup(pgbackrest.Settings.from_app(config), kind, head)
    outcome = Outcome(taken.label, taken.type, taken.finished_at.timestamp(),
                      round(time.monotonic() - began, 2), taken.size, taken.repo_size, head,
                      report.copied, report.copied + report.present)
    _write_status(config, outcome)
    return outcome


def sync_photos(config: dict) -> photos.Report:
    """Between backups (a timer every few minutes): photos are not in the WAL."""
    return photos.sync(Path(config["STORAGE_DIR"]), photo_dir(config))


def _write_status(config: dict, outcome: Outcome) -> None:
    target = Path(config["BACKUP_DIR"]) / STATUS
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(outcome)))
    os.replace(tmp, target)


def last(config: dict) -> Outcome | None:
    try:
        return Outcome(**json.loads((Path(config["BACKUP_DIR"]) / STATUS).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def last_age_seconds(config: dict) -> float | None:
    found = last(config)
    return None if found is None else max(0.0, time.time() - found.finished_at)


def archiver_status(connection) -> dict:
    """PostgreSQL's WAL archiver: is it on, and is it keeping up (pg_stat_archiver)."""
    mode = connection.execute(text("SELECT current_setting('archive_mode')")).scalar()
    row = connection.execute(text(
        "SELECT archived_count, failed_count, last_archived_time, last_failed_time "
        "FROM pg_stat_archiver")).one()
    failing = bool(row.last_failed_time and (row.last_archived_time is None
                                             or row.last_failed_time > row.last_archived_time))
    return {"mode": mode, "archived": row.archived_count, "failed": row.failed_count,
            "last_archived_at": row.last_archived_time, "failing": failing}
