"""The restore drill's checks, and its command form: restore the real repository into a scratch
cluster (never the production one) and prove what came back.

The same checks serve the test drill (tests/integration/ops/test_restore_drill.py), which also
writes the data, destroys it and compares byte for byte.
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ..core import audit
from . import backups, pgbackrest, photos
from .cluster import ScratchCluster

SKIPPED_TABLES = {"spatial_ref_sys"}


def table_digests(url: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and the md5 of all its rows' text, in a stable order: two
    databases with the same digests hold the same rows byte for byte."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = connection.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            ).scalars().all()
            found = {}
            for table in tables:
                if table in SKIPPED_TABLES:
                    continue
                row = connection.execute(text(
                    f'SELECT count(*), md5(coalesce(string_agg(t::text, E\'\\n\' '
                    f'ORDER BY t::text), \'\')) FROM "{table}" t')).one()
                found[table] = (row[0], row[1])
            return found
    finally:
        engine.dispose()


def photo_hashes(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return set(connection.execute(text(
                "SELECT DISTINCT sha256 FROM attachments WHERE sha256 IS NOT NULL")).scalars())
    finally:
        engine.dispose()


def verify_audit(url: str, anchor: str | None) -> tuple[int, str | None]:
    """`flask audit verify --anchor SEQ:HASH` against the database at url."""
    pinned = None
    if anchor:
        seq, _, hash_ = anchor.partition(":")
        pinned = (int(seq), hash_)
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return audit.verify(session, anchor=pinned)
    finally:
        engine.dispose()


@dataclass
class Result:
    ok: bool = True
    lines: list[str] = field(default_factory=list)

    def check(self, passed: bool, message: str) -> None:
        self.ok = self.ok and passed
        self.lines.append(("ok    " if passed else "FAIL  ") + message)


def anchor_for(found: list[pgbackrest.Backup], to: str | None) -> str | None:
    """The audit head noted by the newest backup the restore starts from."""
    usable = [b for b in found if b.audit_head]
    if to:
        from datetime import datetime
        target = datetime.fromisoformat(to)
        if target.tzinfo is None:
            from datetime import timezone
            target = target.replace(tzinfo=timezone.utc)
        usable = [b for b in usable if b.finished_at <= target]
    return usable[-1].audit_head if usable else None


def from_repository(config: dict, to: str | None = None) -> Result:
    """Restore the latest backup (or the state at `to`) of the configured repository into a
    scratch cluster and a scratch photo store, then check the audit chain against the anchor
    noted at backup time, the photos against their hashes, and report what came back."""
    settings = pgbackrest.Settings.from_app(config)
    result = Result()
    found = pgbackrest.backups(settings)
    result.check(bool(found), f"{len(found)} backup(s) in the repository")
    if not found:
        return result
    anchor = anchor_for(found, to)
    database = make_url(config["DATABASE_URL"]).database
    with tempfile.TemporaryDirectory(prefix="nezarat-drill-") as scratch:
        Path(scratch).chmod(0o711)  # the cluster's user must reach its folder inside
        cluster = ScratchCluster(Path(scratch) / "pg", run_as=settings.run_as,
                                 settings={"archive_mode": "off"})
        try:
            began = time.monotonic()
            cluster.prepare()
            cluster.empty_data()
            pgbackrest.restore(settings, to=to, pg_path=str(cluster.data))
            cluster.start(wait_recovery=True)
            result.check(True, f"restored to {to or 'the latest'} in "
                               f"{time.monotonic() - began:.1f} s")
            check_restored(result, cluster.url(database), anchor,
                           backups.photo_dir(config), Path(scratch) / "photos")
        finally:
            cluster.destroy()
    return result


def check_restored(result: Result, url: str, anchor: str | None, photo_backup: Path,
                   store: Path) -> None:
    checked, problem = verify_audit(url, anchor)
    result.check(problem is None and checked > 0,
                 f"audit chain: {checked} entries, anchor {anchor or '(none noted)'}"
                 + (f": {problem}" if problem else ""))
    wanted = photo_hashes(url)
    report, missing = photos.restore(photo_backup, store, wanted)
    result.check(not missing and not report.problems,
                 f"photos: {len(wanted) - len(missing)} of {len(wanted)} restored and "
                 f"verified by SHA-256" + (f"; missing {sorted(missing)[:3]}" if missing else ""))
    counts = table_digests(url)
    result.lines.append("rows: " + ", ".join(
        f"{t} {counts[t][0]}" for t in ("visits", "incidents", "attachments", "audit_log")
        if t in counts))
