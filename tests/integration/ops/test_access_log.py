"""gunicorn's access log (issue 13): ODK Collect's device token travels in the path, so the
log must not write it. A canary token and a canary query secret go through a real gunicorn with
deploy/gunicorn.conf.py; no log line may carry either."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from server.ops.accesslog import redact

ROOT = Path(__file__).resolve().parents[3]


def test_redact_paths_and_query_secrets():
    assert redact("GET /key/nzd_abc123/submission HTTP/1.1") == \
        "GET /key/[redacted]/submission HTTP/1.1"
    assert redact("/api/x?page=2&token=s3cret&b=1") == "/api/x?page=2&token=[redacted]&b=1"
    assert redact("/api/facilities?page=2") == "/api/facilities?page=2"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_access_log_never_writes_the_token(database_url, tmp_path):
    canary_token = "nzd_CANARY-TOKEN-7f3a9c"
    canary_secret = "CANARY-SECRET-51be"
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "log-test",
           "STORAGE_DIR": str(tmp_path / "storage"),
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "--workers", "1", "server.wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    requests.get(f"{base}/livez", timeout=10)
                    break
                except requests.RequestException:
                    time.sleep(0.2)
            requests.get(f"{base}/key/{canary_token}/formList", timeout=5)
            requests.post(f"{base}/key/{canary_token}/submission", data=b"x", timeout=5)
            requests.get(f"{base}/livez?token={canary_secret}", timeout=5)
            requests.get(f"{base}/livez", headers={"Authorization": f"Bearer {canary_token}",
                                                   "Referer": f"{base}/key/{canary_token}/"},
                         timeout=5)
        finally:
            server.terminate()
            server.wait(30)
    written = log.read_text()
    assert written.count("/key/[redacted]/") >= 2, written
    assert canary_token not in written and canary_secret not in written
    assert "CANARY" not in written
