"""A scratch world for the restore drill: its own PostgreSQL cluster (a temp folder, its own
socket, run as `postgres` when we are root), its own pgBackRest stanza and encrypted repository
rendered from deploy/pgbackrest.conf, its own photo store and backup folder, and an app on it."""
from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

from server import create_app
from server.core import schema
from server.core.db import db
from server.ops import pgbackrest
from server.ops.cluster import ScratchCluster

STANZA = "drill"


def build(tmp: Path, monkeypatch) -> SimpleNamespace:
    monkeypatch.setenv("PGBACKREST_REPO1_CIPHER_PASS", secrets.token_urlsafe(32))
    run_as = pgbackrest.Settings("", STANZA, pgbackrest._default_user()).run_as
    # Not under pytest's tmp_path: that folder is private to root, the cluster's user must reach
    # its own folder.
    pg_root = Path(tempfile.mkdtemp(prefix="nezarat-drill-"))
    conf = pg_root / "pgbackrest.conf"
    settings = pgbackrest.Settings(str(conf), STANZA, run_as)
    cluster = ScratchCluster(pg_root, run_as=run_as, settings={
        "wal_level": "replica", "archive_mode": "on",
        "archive_command": f"'{pgbackrest.archive_command(settings)}'",
        "max_wal_senders": "3"})
    cluster.initdb()
    conf.write_text(pgbackrest.render(
        repo_path=str(pg_root / "repo"), pg_path=str(cluster.data), pg_port=cluster.port,
        pg_socket=str(cluster.socket_dir), stanza=STANZA, lock_path=str(pg_root / "lock"),
        log_path=str(pg_root / "log"), spool_path=str(pg_root / "spool"), log_file=False))
    if run_as:
        shutil.chown(conf, run_as)
    cluster.start()
    cluster.psql("CREATE DATABASE nezarat")
    cluster.psql("CREATE EXTENSION postgis; CREATE EXTENSION pg_trgm;", db="nezarat")
    pgbackrest.run(settings, "stanza-create")
    url = cluster.url("nezarat")
    schema.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "drill", "TESTING": True,
                      "STORAGE_DIR": str(tmp / "storage"), "BACKUP_DIR": str(tmp / "backup"),
                      "PGBACKREST_CONFIG": str(conf), "PGBACKREST_STANZA": STANZA,
                      "LOG_LEVEL": "WARNING", "DB_POOL_SIZE": 2})
    return SimpleNamespace(cluster=cluster, settings=settings, url=url, app=app,
                           store=Path(app.config["STORAGE_DIR"]),
                           backup=Path(app.config["BACKUP_DIR"]))


def release(world: SimpleNamespace) -> None:
    with world.app.app_context():
        db.engine.dispose()


def destroy(world: SimpleNamespace) -> None:
    if os.environ.get("NEZARAT_KEEP_DRILL"):
        return
    try:
        release(world)
    finally:
        world.cluster.destroy()
