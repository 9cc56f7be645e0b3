"""pgBackRest, driven from Python: the configuration rendered from deploy/pgbackrest.conf, its
commands run as the owner of the database files, its backup list read as JSON.

Secrets (PGBACKREST_REPO1_CIPHER_PASS, S3 keys) travel in the environment, never on a command
line or in a rendered file.
"""
from __future__ import annotations

import json
import os
import pwd
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "pgbackrest.conf"
ANNOTATION = "audit-head"


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    """Where pgBackRest's configuration is and which stanza (cluster) it backs up."""
    config: str
    stanza: str
    run_as: str | None = None  # the owner of the database files, when we are root

    @classmethod
    def from_app(cls, config: dict) -> "Settings":
        return cls(config["PGBACKREST_CONFIG"], config["PGBACKREST_STANZA"], _default_user())


def _default_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return None
    return "postgres"


def render(*, repo_path: str, pg_path: str, pg_port: int, pg_socket: str, stanza: str,
           lock_path: str = "/tmp/pgbackrest", log_path: str = "/var/log/pgbackrest",
           spool_path: str = "/var/spool/pgbackrest", log_file: bool = True) -> str:
    """deploy/pgbackrest.conf with this server's values."""
    return Template(TEMPLATE.read_text()).substitute(
        repo_path=repo_path, pg_path=pg_path, pg_port=pg_port, pg_socket=pg_socket,
        stanza=stanza, lock_path=lock_path, log_path=log_path, spool_path=spool_path,
        log_level_file="info" if log_file else "off")


def archive_command(settings: Settings) -> str:
    """PostgreSQL's archive_command for this configuration."""
    return f"pgbackrest --config={settings.config} --stanza={settings.stanza} archive-push %p"


def run(settings: Settings, command: str, *options: str, timeout: float = 3600) -> str:
    """Run one pgBackRest command; its standard output, or BackupError with what it said."""
    argv = ["pgbackrest", f"--config={settings.config}", f"--stanza={settings.stanza}",
            *options, command]
    if settings.run_as:
        argv = ["runuser", "-u", settings.run_as, "--", *argv]
    if not os.environ.get("PGBACKREST_REPO1_CIPHER_PASS"):
        raise BackupError("PGBACKREST_REPO1_CIPHER_PASS is not set: the repository is encrypted "
                          "with it (see deploy/pgbackrest.conf)")
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                          cwd="/", env=os.environ.copy())
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"pgbackrest {command} failed ({done.returncode}): "
                          + " | ".join(said[-3:]))
    return done.stdout


@dataclass(frozen=True)
class Backup:
    label: str
    type: str
    started_at: datetime
    finished_at: datetime
    size: int            # the database as backed up
    repo_size: int       # what it takes in the repository (compressed, encrypted)
    audit_head: str | None = None  # "seq:hash" when the backup began
    wal_start: str = ""
    wal_stop: str = ""
    extra: dict = field(default_factory=dict)


def backups(settings: Settings) -> list[Backup]:
    """The backups of the stanza, oldest first."""
    info = json.loads(run(settings, "info", "--output=json", timeout=120) or "[]")
    found = []
    for stanza in info:
        for item in stanza.get("backup", []):
            found.append(Backup(
                label=item["label"], type=item["type"],
                started_at=_time(item["timestamp"]["start"]),
                finished_at=_time(item["timestamp"]["stop"]),
                size=item["info"]["size"], repo_size=item["info"]["repository"]["delta"],
                audit_head=(item.get("annotation") or {}).get(ANNOTATION),
                wal_start=item["archive"]["start"] or "", wal_stop=item["archive"]["stop"] or ""))
    return found


def backup(settings: Settings, kind: str, audit_head: str | None) -> Backup:
    """Take a backup (full, diff or incr) noting the audit head of that moment in it."""
    options = [f"--type={kind}"]
    if audit_head:
        options.append(f"--annotation={ANNOTATION}={audit_head}")
    run(settings, "backup", *options)
    return backups(settings)[-1]


def restore(settings: Settings, *, to: str | None = None, pg_path: str | None = None,
            delta: bool = False) -> None:
    """Restore into pg_path (default: the configured one, which must be stopped and empty
    unless `delta`). `to`: a point in time ('2026-12-01 14:00:00+00'); default the latest."""
    options = []
    if pg_path:
        options.append(f"--pg1-path={pg_path}")
    if delta:
        options.append("--delta")
    if to:
        options += ["--type=time", f"--target={to}", "--target-action=promote"]
    run(settings, "restore", *options)


def _time(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)
