"""A scratch PostgreSQL cluster in a folder of its own, for the restore drill.

It listens on a Unix socket in its own folder only (listen_addresses=''), so whatever it holds
is reachable by the user running the drill and nobody else, and it cannot collide with a
server of the machine. As root it runs as the `postgres` user: PostgreSQL refuses to run as
root. The shared cluster of the machine is never touched.
"""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

PG_VERSION = os.environ.get("PG_VERSION", "15")
BINDIR = Path(f"/usr/lib/postgresql/{PG_VERSION}/bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ScratchCluster:
    def __init__(self, root: Path, *, run_as: str | None = None, settings: dict | None = None):
        self.root = Path(root)
        self.data = self.root / "data"
        self.socket_dir = self.root / "run"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.run_as = run_as
        self.settings = settings or {}
        self.env: dict = {}

    # --- as the cluster's owner ----------------------------------------------------------------
    def _owned(self, *paths: Path) -> None:
        for path in paths:
            path.mkdir(parents=True, exist_ok=True)
            path.chmod(0o700)
            if self.run_as:
                entry = pwd.getpwnam(self.run_as)
                os.chown(path, entry.pw_uid, entry.pw_gid)

    def _cmd(self, argv: list, **kw) -> subprocess.CompletedProcess:
        if self.run_as:
            argv = ["runuser", "-u", self.run_as, "--", *argv]
        env = {**os.environ, **self.env}
        done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, cwd="/",
                              env=env, **kw)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(str(argv[0])).name} failed: {done.stderr or done.stdout}"
                               + self._log_tail())
        return done

    def _log_tail(self) -> str:
        try:
            return "\n" + "\n".join(self.log.read_text().splitlines()[-15:])
        except OSError:
            return ""

    # --- life cycle ------------------------------------------------------------------------------
    def prepare(self) -> None:
        """The folders, owned by the cluster's user (the root folder too: the data folder in it
        must be reachable)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if self.run_as:
            entry = pwd.getpwnam(self.run_as)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._owned(self.socket_dir)

    def initdb(self) -> None:
        self.prepare()
        self._owned(self.data)
        self._cmd([BINDIR / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                   "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"])

    def empty_data(self) -> None:
        """An empty data folder, as a restore wants it."""
        shutil.rmtree(self.data, ignore_errors=True)
        self._owned(self.data)

    def options(self) -> list[str]:
        fixed = {"port": self.port, "listen_addresses": "''",
                 "unix_socket_directories": f"'{self.socket_dir}'", "fsync": "off",
                 "full_page_writes": "on", "max_connections": "40",
                 "hba_file": f"'{self.root / 'pg_hba.conf'}'",
                 "ident_file": f"'{self.root / 'pg_ident.conf'}'", **self.settings}
        fixed.update(self._at_least_the_primary(fixed))
        return [f"-c {k}={v}" for k, v in fixed.items()]

    # Recovery refuses to run with fewer of these than the server the backup came from had
    # (a Debian cluster has max_connections = 100): pg_control of the restored data says how many.
    _PRIMARY_MINIMA = {"max_connections setting": "max_connections",
                       "max_worker_processes setting": "max_worker_processes",
                       "max_wal_senders setting": "max_wal_senders",
                       "max_prepared_xacts setting": "max_prepared_transactions",
                       "max_locks_per_xact setting": "max_locks_per_transaction"}

    def _at_least_the_primary(self, current: dict) -> dict:
        if not (self.data / "global" / "pg_control").exists():
            return {}
        try:
            said = self._cmd([BINDIR / "pg_controldata", "-D", self.data]).stdout
        except RuntimeError:
            return {}
        raised = {}
        for line in said.splitlines():
            label, _, value = line.partition(":")
            name = self._PRIMARY_MINIMA.get(label.strip())
            if name and value.strip().isdigit():
                have = str(current.get(name, "0")).strip("'")
                if not have.isdigit() or int(value) > int(have):
                    raised[name] = value.strip()
        return raised

    def start(self, wait_recovery: bool = False, timeout: float = 120) -> None:
        """Start on its own socket; with wait_recovery, until a restore has replayed to its
        target and the server accepts writes."""
        for name, text in (("pg_hba.conf", "local all all trust\n"), ("pg_ident.conf", "")):
            (self.root / name).write_text(text)
            if self.run_as:
                shutil.chown(self.root / name, self.run_as)
        conf = self.data / "postgresql.conf"
        if not conf.exists():  # a restore of a Debian cluster: its configuration lives in /etc
            conf.write_text("")
            if self.run_as:
                shutil.chown(conf, self.run_as)
        self._cmd([BINDIR / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60",
                   "-o", " ".join(self.options()), "start"])
        if wait_recovery:
            deadline = time.monotonic() + timeout
            while self.psql("select pg_is_in_recovery()").strip() != "f":
                if time.monotonic() > deadline:
                    raise RuntimeError("the restored cluster is still recovering"
                                       + self._log_tail())
                time.sleep(0.1)

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._cmd([BINDIR / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop"])

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except RuntimeError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    # --- talking to it -----------------------------------------------------------------------
    def psql(self, sql: str, db: str = "postgres") -> str:
        return self._cmd([BINDIR / "psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h",
                          self.socket_dir, "-p", self.port, "-U", "postgres", "-d", db,
                          "-c", sql]).stdout

    def url(self, db: str = "nezarat") -> str:
        return (f"postgresql+psycopg://postgres@/{db}?host={self.socket_dir}&port={self.port}")


def archiving(root: Path, stanza: str, *, run_as: str | None = None,
              archive_timeout: int | None = None):
    """A scratch cluster archiving its WAL into a pgBackRest repository of its own (under root),
    configured from deploy/pgbackrest.conf as a server is, with a `nezarat` database (PostGIS);
    started and its stanza created. Returns (cluster, pgBackRest settings). The restore drill's
    test and bench/backup.py's smoke run use it. PGBACKREST_REPO1_CIPHER_PASS must be set."""
    from . import pgbackrest

    conf = root / "pgbackrest.conf"
    settings = pgbackrest.Settings(str(conf), stanza, run_as)
    wanted = {"wal_level": "replica", "archive_mode": "on",
              "archive_command": f"'{pgbackrest.archive_command(settings)}'",
              "max_wal_senders": "3"}
    if archive_timeout:
        wanted["archive_timeout"] = str(archive_timeout)
    cluster = ScratchCluster(root, run_as=run_as, settings=wanted)
    cluster.initdb()
    conf.write_text(pgbackrest.render(
        repo_path=str(root / "repo"), pg_path=str(cluster.data), pg_port=cluster.port,
        pg_socket=str(cluster.socket_dir), stanza=stanza, lock_path=str(root / "lock"),
        log_path=str(root / "log"), spool_path=str(root / "spool"), log_file=False))
    if run_as:
        shutil.chown(conf, run_as)
    cluster.start()
    cluster.psql("CREATE DATABASE nezarat")
    cluster.psql("CREATE EXTENSION postgis; CREATE EXTENSION pg_trgm;", db="nezarat")
    pgbackrest.run(settings, "stanza-create")
    return cluster, settings
