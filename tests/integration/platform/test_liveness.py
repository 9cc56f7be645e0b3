"""/livez, /readyz and /healthz (issue 13): what each says, and that it says nothing more."""
from __future__ import annotations

import json
import time

from server import create_app


def test_livez_and_readyz(client):
    assert client.get("/livez").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"database": "ok", "migrations": "current", "status": "ok"}


def test_readyz_says_unavailable_when_the_database_is_unreachable(app_config):
    app = create_app({**app_config, "DATABASE_URL":
                      "postgresql+psycopg://nobody:secret-pw@127.0.0.1:1/none"})
    client = app.test_client()
    assert client.get("/livez").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
    health = client.get("/healthz").get_data(as_text=True)
    assert "secret-pw" not in health and "127.0.0.1" not in health and "nobody" not in health


def test_healthz_reports_backup_age_and_archiving(app, client, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path))
    body = client.get("/healthz").get_json()
    assert body["backups"] == "missing" and body["last_backup_age_seconds"] is None
    assert body["status"] == "degraded"
    assert body["wal_archiving"] in {"off", "ok", "failing"}
    (tmp_path / "last-backup.json").write_text(json.dumps({
        "label": "x", "type": "full", "finished_at": time.time() - 120, "seconds": 1,
        "size": 1, "repo_size": 1, "audit_head": "1:" + "a" * 64, "photos_copied": 0,
        "photos_total": 0}))
    body = client.get("/healthz").get_json()
    assert body["backups"] == "ok" and 110 <= body["last_backup_age_seconds"] <= 200
    assert "audit_head" not in body and "label" not in body  # nothing beyond the age
    (tmp_path / "last-backup.json").write_text(json.dumps({
        "label": "x", "type": "full", "finished_at": time.time() - 30 * 3600, "seconds": 1,
        "size": 1, "repo_size": 1, "audit_head": None, "photos_copied": 0, "photos_total": 0}))
    assert client.get("/healthz").get_json()["backups"] == "stale"
