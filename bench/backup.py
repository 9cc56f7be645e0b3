"""Backup and restore figures for the README (issue 13): full and differential backup time and
size, restore time (RTO) into a scratch cluster, and the data loss window (RPO) as configured.

    python -m bench.backup --config /etc/pgbackrest/nezarat.conf --stanza nezarat \\
        --url postgresql+psycopg://nezarat:nezarat@127.0.0.1:5432/nezarat_bench

Run it against a cluster that scripts/provision-backups.sh set up (WAL archiving on) and that
holds the bench database (`python -m bench.generate`, 1,000,000 incidents). It takes a full
backup, a differential one, restores the latest state into a scratch cluster of its own (never
the running one: server/ops/cluster.py) until it accepts writes, counts the incidents there,
and measures how long a committed transaction waits before its WAL is in the repository.
PGBACKREST_REPO1_CIPHER_PASS must be set (or --passphrase-file). As root: pgBackRest and the
scratch cluster run as `postgres`. `make bench-backup` runs it against `make run`'s cluster with
the passphrase of var/backup-passphrase.

The baseline, measured in the same run: `pg_dump -Fc` of the same database (what a home-made
dump loop would do), its time and size beside the full backup's (ratio printed). The backup
covers the whole cluster and keeps point-in-time recovery; the dump covers one database at
one moment.

`--smoke`: the same measurements on a scratch cluster of its own (archiving into a scratch
repository, archive_timeout 2 s) holding the tiny generated data set: seconds, for
`make bench-smoke`; measures nothing, fails when a step fails.
"""
from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from server.ops import pgbackrest
from server.ops.cluster import BINDIR, ScratchCluster, archiving

from . import generate
from .generate import libpq_url


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB"


def _query(url: str, sql: str, *args):
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        return conn.execute(sql, args).fetchone()


def measure(settings: pgbackrest.Settings, url: str, *, rpo: bool = True, say=print) -> dict:
    figures = {}
    incidents = _query(url, "SELECT count(*) FROM incidents")[0]
    database = _query(url, "SELECT pg_database_size(current_database())")[0]
    cluster_size = _query(url, "SELECT sum(pg_database_size(datname)) FROM pg_database")[0]
    figures.update(incidents=incidents, database_bytes=database, cluster_bytes=cluster_size)
    say(f"database: {incidents:,} incidents, {_mb(database)} (cluster {_mb(cluster_size)})")

    began = time.monotonic()
    dump = subprocess.run([str(BINDIR / "pg_dump"), "-Fc", "-Z", "3", "-d", libpq_url(url)],
                          capture_output=True, check=True).stdout
    dump_seconds = time.monotonic() - began
    figures["pg_dump"] = dict(seconds=round(dump_seconds, 1), size=len(dump))
    say(f"baseline pg_dump -Fc of the database: {dump_seconds:.1f} s, {_mb(len(dump))}")
    del dump

    for kind in ("full", "diff"):
        began = time.monotonic()
        taken = pgbackrest.backup(settings, kind, None)
        seconds = time.monotonic() - began
        figures[kind] = dict(seconds=round(seconds, 1), size=taken.size,
                             repo_size=taken.repo_size, label=taken.label)
        say(f"{kind} backup: {seconds:.1f} s, cluster {_mb(taken.size)} backed up, "
            f"{_mb(taken.repo_size)} stored (compressed, encrypted)")
    full = figures["full"]
    figures["full_vs_pg_dump"] = dict(
        time=round(full["seconds"] / max(dump_seconds, 0.001), 2),
        size=round(full["repo_size"] / max(figures["pg_dump"]["size"], 1), 2))
    say(f"full backup / pg_dump: {figures['full_vs_pg_dump']['time']}x the time, "
        f"{figures['full_vs_pg_dump']['size']}x the size (the whole cluster, encrypted, "
        f"with point-in-time recovery, against one database at one moment)")

    database_name = make_url(url).database
    with tempfile.TemporaryDirectory(prefix="nezarat-bench-restore-") as scratch:
        Path(scratch).chmod(0o711)
        cluster = ScratchCluster(Path(scratch) / "pg", run_as=settings.run_as,
                                 settings={"archive_mode": "off"})
        try:
            began = time.monotonic()
            cluster.prepare()
            cluster.empty_data()
            pgbackrest.restore(settings, pg_path=str(cluster.data))
            restored = time.monotonic()
            cluster.start(wait_recovery=True, timeout=1800)
            ready = time.monotonic()
            back = int(cluster.psql("SELECT count(*) FROM incidents", db=database_name))
        finally:
            cluster.destroy()
    figures["restore"] = dict(files_seconds=round(restored - began, 1),
                              recovery_seconds=round(ready - restored, 1),
                              seconds=round(ready - began, 1), incidents=back)
    say(f"restore (RTO): {ready - began:.1f} s ({restored - began:.1f} s copying and "
        f"decrypting, {ready - restored:.1f} s WAL replay until writable); "
        f"{back:,} incidents back")
    if back != incidents:
        raise SystemExit(f"restore lost incidents: {back} of {incidents}")

    timeout = _query(url, "SELECT setting::int FROM pg_settings WHERE name = 'archive_timeout'")[0]
    figures["archive_timeout"] = timeout
    if rpo:
        # A commit with nothing after it: how long until its WAL segment is in the repository.
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS bench_rpo (t timestamptz)")
            conn.execute("SELECT txid_current()")  # a write: a WAL record to archive
            segment = conn.execute("SELECT pg_walfile_name(pg_current_wal_lsn())").fetchone()[0]
            began = time.monotonic()
            while True:
                last = conn.execute("SELECT last_archived_wal FROM pg_stat_archiver").fetchone()[0]
                if last and last[:24] >= segment:
                    break
                if time.monotonic() - began > timeout + 120:
                    raise SystemExit("WAL archiving did not keep up: see pg_stat_archiver")
                time.sleep(0.5)
        waited = time.monotonic() - began
        figures["rpo_measured_seconds"] = round(waited, 1)
        say(f"data loss window (RPO): archive_timeout {timeout} s; a lone commit reached the "
            f"repository after {waited:.1f} s")
    else:
        say(f"data loss window (RPO): archive_timeout {timeout} s")
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.backup", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--config", default=os.environ.get("PGBACKREST_CONFIG",
                                                           "/etc/pgbackrest/nezarat.conf"))
    parser.add_argument("--stanza", default=os.environ.get("PGBACKREST_STANZA", "nezarat"))
    parser.add_argument("--url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://nezarat:nezarat@127.0.0.1:5432/nezarat_bench"))
    parser.add_argument("--passphrase-file", default=None,
                        help="read PGBACKREST_REPO1_CIPHER_PASS from this file")
    parser.add_argument("--no-rpo", action="store_true",
                        help="do not wait up to archive_timeout for a lone commit's WAL")
    parser.add_argument("--smoke", action="store_true",
                        help="a scratch cluster with the tiny data set (make bench-smoke)")
    args = parser.parse_args(argv)
    say = lambda m: print(m, flush=True)  # noqa: E731
    if args.smoke:
        smoke(say)
        return 0
    if args.passphrase_file:
        os.environ["PGBACKREST_REPO1_CIPHER_PASS"] = Path(args.passphrase_file).read_text().strip()
    settings = pgbackrest.Settings(args.config, args.stanza, pgbackrest._default_user())
    measure(settings, args.url, rpo=not args.no_rpo, say=say)
    return 0


def smoke(say) -> dict:
    """Every step of the measurement on a scratch cluster, repository and tiny data set."""
    os.environ.setdefault("PGBACKREST_REPO1_CIPHER_PASS", secrets.token_urlsafe(32))
    root = Path(tempfile.mkdtemp(prefix="nezarat-bench-backup-"))
    root.chmod(0o711)
    cluster = None
    try:
        cluster, settings = archiving(root / "pg", "bench", run_as=pgbackrest._default_user(),
                                      archive_timeout=2)
        url = generate.ensure(generate.SMOKE, cluster.url("nezarat"), provision_db=False,
                              log=lambda m: None)
        return measure(settings, url, rpo=True, say=say)
    finally:
        if cluster is not None:
            cluster.destroy()
        import shutil
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
