"""flask ops ...: backups, restores and the restore drill (see the README's operations part)."""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import text

from ..core.db import db
from . import backups, drill, pgbackrest, photos

ops_cli = AppGroup("ops", help="Backups (pgBackRest + photos), restores, the restore drill.")


def _settings() -> pgbackrest.Settings:
    return pgbackrest.Settings.from_app(current_app.config)


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@ops_cli.command("backup")
@click.option("--type", "kind", type=click.Choice(["full", "diff", "incr"]), default="diff",
              show_default=True, help="pgBackRest makes a full one when none exists yet.")
def backup_now(kind):
    """Back up now: photos, then the database with the audit head of this moment."""
    try:
        done = backups.backup(current_app.config, kind)
    except pgbackrest.BackupError as exc:
        _fail(str(exc))
    click.echo(f"backup {done.label} ({done.type}) in {done.seconds} s: database "
               f"{_size(done.size)}, {_size(done.repo_size)} in the repository; "
               f"{done.photos_copied} new photo(s) copied; audit head {done.audit_head}")


@ops_cli.command("backups")
def list_backups():
    """List the backups: time, type, size, and the audit head when each began."""
    try:
        found = pgbackrest.backups(_settings())
    except pgbackrest.BackupError as exc:
        _fail(str(exc))
    click.echo(f"{'finished (UTC)':<20} {'type':<5} {'size':>9} {'stored':>9}  audit head  label")
    for b in found:
        click.echo(f"{b.finished_at:%Y-%m-%d %H:%M:%S} {b.type:<5} {_size(b.size):>9} "
                   f"{_size(b.repo_size):>9}  {b.audit_head or '-'}  {b.label}")
    if not found:
        click.echo("(no backup yet: run `flask ops backup --type full`)")


@ops_cli.command("sync-photos")
def sync_photos():
    """Copy new photos to the backup location (run every few minutes between backups)."""
    report = backups.sync_photos(current_app.config)
    click.echo(f"{report.copied} copied, {report.present} already there")
    if report.problems:
        _fail("\n".join(report.problems))


@ops_cli.command("restore")
@click.option("--to", "to", default=None,
              help='A point in time, e.g. "2026-12-01 14:00" (UTC unless an offset is given); '
                   "default: the latest state the archive holds.")
def restore(to):
    """Restore the database (PostgreSQL must be stopped). Then start it and run
    `flask ops restore-photos`."""
    to = _normalise(to)
    try:
        with db.engine.connect() as connection:
            connection.execute(text("select 1"))
        _fail("PostgreSQL answers: stop it first (systemctl stop postgresql)")
    except Exception:  # unreachable, as it must be
        pass
    try:
        pgbackrest.restore(_settings(), to=to, delta=True)
    except pgbackrest.BackupError as exc:
        _fail(str(exc))
    click.echo(f"database restored to {to or 'the latest'}: start PostgreSQL, then run "
               "`flask ops restore-photos`")


@ops_cli.command("restore-photos")
def restore_photos():
    """Copy back the photos the (restored) database names, each checked by its SHA-256."""
    wanted = drill.photo_hashes(current_app.config["DATABASE_URL"])
    report, missing = photos.restore(backups.photo_dir(current_app.config),
                                     Path(current_app.config["STORAGE_DIR"]), wanted)
    click.echo(f"{report.copied} photo(s) restored, {report.present} already in place")
    if missing or report.problems:
        _fail(f"missing from the backup: {len(missing)}\n" + "\n".join(report.problems))


@ops_cli.command("verify")
def verify():
    """Check the repository (pgBackRest verify) and every photo copy against its hash."""
    problems = []
    try:
        pgbackrest.run(_settings(), "verify")
    except pgbackrest.BackupError as exc:
        problems.append(str(exc))
    report = photos.verify(backups.photo_dir(current_app.config))
    problems += report.problems
    click.echo(f"photos: {report.present} verified")
    if problems:
        _fail("\n".join(problems))
    click.echo("repository and photo copies verified")


@ops_cli.command("drill")
@click.option("--to", "to", default=None, help="Restore this point in time instead of the latest.")
def run_drill(to):
    """The restore drill against a scratch cluster: the production database is not touched."""
    try:
        result = drill.from_repository(current_app.config, _normalise(to))
    except (pgbackrest.BackupError, RuntimeError) as exc:
        _fail(f"drill failed: {exc}")
    for line in result.lines:
        click.echo(line)
    if not result.ok:
        _fail("restore drill FAILED")
    click.echo("restore drill passed")


@ops_cli.command("pgbackrest-config")
@click.option("--pg-path", default="/var/lib/postgresql/15/main", show_default=True)
@click.option("--pg-port", default=5432, show_default=True)
@click.option("--pg-socket", default="/var/run/postgresql", show_default=True)
@click.option("--repo-path", default="/var/lib/pgbackrest", show_default=True)
@click.option("--lock-path", default="/tmp/pgbackrest", show_default=True)
@click.option("--log-path", default="/var/log/pgbackrest", show_default=True)
@click.option("--spool-path", default="/var/spool/pgbackrest", show_default=True)
def pgbackrest_config(pg_path, pg_port, pg_socket, repo_path, lock_path, log_path, spool_path):
    """Print deploy/pgbackrest.conf filled in for this server, and the archive_command."""
    click.echo(pgbackrest.render(repo_path=repo_path, pg_path=pg_path, pg_port=pg_port,
                                 pg_socket=pg_socket,
                                 stanza=current_app.config["PGBACKREST_STANZA"],
                                 lock_path=lock_path, log_path=log_path, spool_path=spool_path))
    click.echo(f"# archive_command = '{pgbackrest.archive_command(_settings())}'")


def _normalise(to: str | None) -> str | None:
    """'2026-12-01 14:00' -> '2026-12-01 14:00:00+00:00' (UTC unless an offset is given)."""
    if not to:
        return None
    try:
        moment = datetime.fromisoformat(to)
    except ValueError:
        raise click.BadParameter(f"not a time: {to!r} (use YYYY-MM-DD HH:MM[:SS][+HH:MM])")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat(sep=" ")


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def init_app(app: Flask) -> None:
    app.cli.add_command(ops_cli)
