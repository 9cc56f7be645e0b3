"""A scratch world for the restore drill: its own PostgreSQL cluster (a temp folder, its own
socket, run as `postgres` when we are root), its own pgBackRest stanza and encrypted repository
rendered from deploy/pgbackrest.conf, its own photo store and backup folder, and an app on it."""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from types import SimpleNamespace

from server import create_app
from server.core import schema
from server.core.db import db
from server.ops import pgbackrest
from server.ops.cluster import archiving

STANZA = "drill"


def build(tmp: Path, monkeypatch) -> SimpleNamespace:
    monkeypatch.setenv("PGBACKREST_REPO1_CIPHER_PASS", secrets.token_urlsafe(32))
    run_as = pgbackrest._default_user()
    # Not under pytest's tmp_path: that folder is private to root, the cluster's user must reach
    # its own folder.
    pg_root = Path(tempfile.mkdtemp(prefix="nezarat-drill-"))
    cluster, settings = archiving(pg_root, STANZA, run_as=run_as)
    url = cluster.url("nezarat")
    schema.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "drill", "TESTING": True,
                      "STORAGE_DIR": str(tmp / "storage"), "BACKUP_DIR": str(tmp / "backup"),
                      "PGBACKREST_CONFIG": settings.config, "PGBACKREST_STANZA": STANZA,
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
