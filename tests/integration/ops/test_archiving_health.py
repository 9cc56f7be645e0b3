"""Failure shows (issue 13): a scratch cluster whose WAL archiving fails (archive_command
refuses every segment) is reported by /healthz as `wal_archiving: failing`, status degraded, and
by /metrics as a growing failure count; a database behind on its migrations makes /readyz 503
(`pending`). Then the same cluster archiving again reads `ok`. The shared cluster is never
touched (the healthz test in tests/integration/platform only sees whatever it runs with)."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest

from server import create_app
from server.core import schema
from server.core.db import db
from server.ops import pgbackrest
from tests.integration.ops.scratch import cluster_with_postgis
from tests.integration.ops.test_metrics import TOKEN, _value


@pytest.fixture()
def cluster():
    root = Path(tempfile.mkdtemp(prefix="nezarat-archfail-"))
    # archiving fails until the file `archive-ok` exists (then it "archives" by keeping nothing)
    scratch = cluster_with_postgis(root, run_as=pgbackrest._default_user(), settings={
        "wal_level": "replica", "archive_mode": "on",
        "archive_command": f"'test -e {root / 'archive-ok'}'"})
    try:
        yield scratch
    finally:
        scratch.destroy()


def _until(check, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


@pytest.mark.slow
def test_failing_archiving_and_pending_migrations_show(app_config, cluster, tmp_path):
    url = cluster.url("nezarat")
    heads = sorted(schema.code_heads())
    schema.upgrade(url, "0024")  # one migration behind the code
    app = create_app({**app_config, "DATABASE_URL": url, "BACKUP_DIR": str(tmp_path),
                      "METRICS_TOKEN": TOKEN, "TESTING": False})
    client = app.test_client()
    try:
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.get_json()["migrations"] == "pending", heads
        schema.upgrade(url)
        assert client.get("/readyz").status_code == 200

        cluster.psql("CREATE TABLE t (x int); INSERT INTO t VALUES (1); SELECT pg_switch_wal();",
                     db="nezarat")
        _until(lambda: int(cluster.psql("SELECT failed_count FROM pg_stat_archiver")) >= 1)
        health = client.get("/healthz")
        body = health.get_json()
        assert health.status_code == 200  # degraded, still serving: alarm, not an outage
        assert body["wal_archiving"] == "failing" and body["status"] == "degraded"
        assert body["wal_archive_failures"] >= 1
        scraped = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        text = scraped.get_data(as_text=True)
        assert _value(text, "nezarat_wal_archive_failing") == 1
        assert _value(text, "nezarat_wal_archive_failures") >= 1

        # archiving repaired: ok again once a segment is archived
        (cluster.root / "archive-ok").touch()
        _until(lambda: client.get("/healthz").get_json()["wal_archiving"] == "ok")
        scraped = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert _value(scraped.get_data(as_text=True), "nezarat_wal_archive_failing") == 0
    finally:
        with app.app_context():
            db.engine.dispose()
