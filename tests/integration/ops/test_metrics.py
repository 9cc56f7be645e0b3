"""/metrics (issue 13): who may read it, that Prometheus' own checker accepts it, and that the
counters move when submissions arrive and are refused."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess

import pytest

from tests import factories, photos
from tests.conftest import login
from tests.integration.submissions.conftest import field  # noqa: F401 (fixture)
from tests.integration.submissions.test_json_api import report
from tests.openrosa_samples import submission_xml, visit_values

TOKEN = "scrape-token-for-tests-0123456789"


@pytest.fixture()
def scraper(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    return {"Authorization": f"Bearer {TOKEN}"}


def _value(text: str, name: str, **labels) -> float:
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.partition(" ")[0]))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_are_never_public(app, client, session, scraper):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    coordinator = login(app.test_client(), factories.user(session, "coordinator"))
    assert coordinator.get("/metrics").status_code == 403
    admin = login(app.test_client(), factories.user(session, "admin"))
    assert admin.get("/metrics").status_code == 200
    assert client.get("/metrics", headers=scraper).status_code == 200


def test_token_unset_means_no_token_works(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "")
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401


def test_metrics_move_as_submissions_arrive(client, session, field, scraper):
    _, _, facility, auth = field
    before = client.get("/metrics", headers=scraper).get_data(as_text=True)
    body = report(facility.id)
    assert client.post("/api/submissions", json=body, headers=auth).status_code == 201
    assert client.post("/api/submissions", json={"id": "nope"}, headers=auth).status_code == 422
    put = client.put(f"/api/submissions/{body['id']}/photos/cell.jpg", data=photos.jpeg_with_gps(),
                     headers=auth, content_type="image/jpeg")
    assert put.status_code == 201
    token = auth["Authorization"][7:]
    xml, _ = submission_xml(visit_values(facility.id))
    parts = {"xml_submission_file": (io.BytesIO(xml), "submission.xml", "text/xml")}
    posted = client.post(f"/key/{token}/submission", data=parts,
                         content_type="multipart/form-data")
    assert posted.status_code == 201, posted.get_data(as_text=True)
    assert client.post(f"/key/{token}-revoked/submission", data={}).status_code in (401, 404)
    after = client.get("/metrics", headers=scraper).get_data(as_text=True)

    def moved(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert moved("nezarat_submissions_total", door="json", outcome="accepted", reason="new") == 1
    assert moved("nezarat_submissions_total", door="json", outcome="refused",
                 reason="invalid") == 1
    assert moved("nezarat_submissions_total", door="json_photo", outcome="accepted") == 1
    assert moved("nezarat_submissions_total", door="openrosa", outcome="accepted",
                 reason="new") == 1
    assert moved("nezarat_photos_cleaned_total", path="lossless") + \
        moved("nezarat_photos_cleaned_total", path="reencoded") == 1
    assert moved("nezarat_http_requests_total", route="/api/submissions", method="POST",
                 status="201") == 1
    assert moved("nezarat_http_request_duration_seconds_count", route="/api/submissions",
                 method="POST") == 2
    assert moved("nezarat_audit_head_seq") >= 1
    assert "nezarat_db_pool_connections" in after
    assert body["id"] not in after and auth["Authorization"][7:] not in after


def test_promtool_accepts_the_metrics(client, field, scraper):
    promtool = shutil.which("promtool")
    if not promtool:
        if os.environ.get("CI"):
            pytest.fail("promtool missing: scripts/system-deps.sh extracts it")
        pytest.skip("promtool missing (scripts/system-deps.sh extracts it)")
    _, _, facility, auth = field
    client.post("/api/submissions", json=report(facility.id), headers=auth)
    exposed = client.get("/metrics", headers=scraper).get_data()
    done = subprocess.run([promtool, "check", "metrics"], input=exposed, capture_output=True)
    problems = [line for line in done.stderr.decode().splitlines()
                if "counter metrics should have" not in line]  # lint hints, not errors
    assert done.returncode == 0 or not problems, done.stderr.decode()


def test_a_failing_metrics_store_never_breaks_an_answer(client, session, field, monkeypatch):
    """A metric that cannot be written (its multiprocess folder unwritable, full disk) costs
    the metric, not the request: a submission is still stored and acknowledged."""
    from server.core import metrics as core_metrics

    def broken(*labels):
        raise PermissionError("[Errno 13] Permission denied: '/tmp/nezarat-metrics'")

    for metric in (core_metrics.REQUESTS, core_metrics.LATENCY, core_metrics.SUBMISSIONS,
                   core_metrics.PHOTOS_CLEANED):
        monkeypatch.setattr(metric, "labels", broken)
    _, _, facility, auth = field
    assert client.get("/livez").status_code == 200
    body = report(facility.id)
    assert client.post("/api/submissions", json=body, headers=auth).status_code == 201
    put = client.put(f"/api/submissions/{body['id']}/photos/cell.jpg", data=photos.jpeg_with_gps(),
                     headers=auth, content_type="image/jpeg")
    assert put.status_code == 201, put.get_data(as_text=True)


def test_gunicorn_keeps_its_metrics_in_a_folder_of_its_own(database_url, tmp_path):
    """Without PROMETHEUS_MULTIPROC_DIR, deploy/gunicorn.conf.py makes a new private folder: a
    well-known path another user or an earlier run already holds (here: a file) cannot break
    the server, and two servers on one machine never empty each other's counters."""
    import requests

    from tests.integration.ops.gunicorn_proc import Gunicorn

    shared_tmp = tmp_path / "tmp"
    shared_tmp.mkdir()
    (shared_tmp / "nezarat-metrics").write_text("someone else's")
    servers = [Gunicorn(database_url, tmp_path / name, workers=2,
                        env={"PROMETHEUS_MULTIPROC_DIR": None, "TMPDIR": str(shared_tmp),
                             "METRICS_TOKEN": TOKEN})
               for name in ("one", "two")]
    for server in servers:
        (tmp_path / ("one" if server is servers[0] else "two")).mkdir()
    try:
        for server in servers:
            server.start()
            for _ in range(3):
                assert requests.get(f"{server.base}/livez", timeout=10).status_code == 200
        exposed = requests.get(f"{servers[0].base}/metrics", timeout=10,
                               headers={"Authorization": f"Bearer {TOKEN}"}).text
        assert _value(exposed, "nezarat_http_requests_total", route="/livez", method="GET",
                      status="200") >= 3
        folders = [p for p in shared_tmp.iterdir() if p.name.startswith("nezarat-metrics-")]
        assert len(folders) == 2 and all(p.stat().st_mode & 0o077 == 0 for p in folders)
    finally:
        for server in servers:
            server.stop()
    assert [p.name for p in shared_tmp.iterdir()] == ["nezarat-metrics"]  # theirs removed
