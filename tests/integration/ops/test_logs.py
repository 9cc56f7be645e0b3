"""Structured logs (issue 13): JSON lines with a request id, from the app and from gunicorn, and
nothing in them an attacker could use: a visit with a canary narrative and a canary device token
goes in through both doors (OpenRosa and the JSON API) of a real gunicorn, then every line of
stdout and stderr is searched for them."""
from __future__ import annotations

import json
import logging
import os
import shutil
import uuid

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DataError

from server.ops import logs
from tests.conftest import truncate_all
from tests.integration.ops.caddy_proc import Caddy
from tests.integration.ops.gunicorn_proc import Gunicorn, seed
from tests.integration.submissions.test_json_api import report
from tests.openrosa_samples import incident_values, submission_xml, visit_values

NARRATIVE = "CANARY-NARRATIVE-Gul-Bibi-9c41"
NOTES = "CANARY-NOTES-Hamid-3e07"


def _record(message, *args, exc_info=None, **extra) -> logging.LogRecord:
    record = logging.LogRecord("nezarat.test", logging.ERROR, __file__, 1, message, args, exc_info)
    record.__dict__.update(extra)
    return record


def test_an_exception_is_logged_without_its_message(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT CAST(:v AS integer)"), {"v": NARRATIVE})
    except DataError as exc:
        assert NARRATIVE in str(exc)  # what a plain traceback would have written
        line = logs.JsonFormatter().format(_record("unhandled error", exc_info=(
            type(exc), exc, exc.__traceback__)))
    finally:
        engine.dispose()
    assert NARRATIVE not in line
    found = json.loads(line)
    assert found["exception"]["type"] == "sqlalchemy.exc.DataError"
    assert found["exception"]["sqlstate"] == "22P02"
    assert any("test_logs.py" in frame for frame in found["exception"]["frames"])


def test_messages_lose_tokens_and_addresses():
    line = json.loads(logs.JsonFormatter().format(_record(
        "Error handling request %s from ip=%s: bad", "/key/nzd_SECRET123/submission",
        "203.0.113.9")))
    assert line["message"] == "Error handling request /key/[redacted]/submission from ip=[ip]: bad"
    assert line["level"] == "error" and line["request_id"] is None


def _wsgi_call(trust_proxy: bool, given: str | None) -> tuple[str, list]:
    seen = {}

    def inner(environ, start_response):
        seen["environ"] = environ["nezarat.request_id"]
        seen["context"] = logs.current_request_id()
        start_response("200 OK", [("X-Request-Id", "from-the-app-ignored")])
        return [b""]

    headers = []
    environ = {"HTTP_X_REQUEST_ID": given} if given is not None else {}
    logs.RequestIds(inner, trust_proxy)(environ, lambda s, h, e=None: headers.extend(h))
    assert seen["environ"] == seen["context"]
    assert logs.current_request_id() is None  # reset after the request
    return seen["environ"], headers


def test_request_id_from_a_trusted_proxy_or_a_new_one():
    proxy_id = str(uuid.uuid4())
    kept, headers = _wsgi_call(True, proxy_id)
    assert kept == proxy_id and headers == [("X-Request-Id", proxy_id)]
    mine, _ = _wsgi_call(False, proxy_id)  # no proxy: a client does not choose its log id
    assert mine != proxy_id and len(mine) == 32
    injected, _ = _wsgi_call(True, 'x" , "level": "critical')  # not a plain id: a new one
    assert injected != 'x" , "level": "critical' and len(injected) == 32
    first, _ = _wsgi_call(False, None)
    second, _ = _wsgi_call(False, None)
    assert first != second


@pytest.fixture()
def monitor(app_config):
    seeded = seed(app_config)
    yield seeded
    truncate_all(app_config["DATABASE_URL"])


def _send_canaries(base: str, monitor) -> tuple[dict, str]:
    """A visit with the canaries through both doors, plus a repeat, a conflict, a malformed
    report and a wrong token; returns ({what: X-Request-Id}, the OpenRosa instance id)."""
    token = monitor.token
    http = requests.Session()
    # OpenRosa: ODK Collect's multipart XML, the token in the path.
    xml, instance = submission_xml(visit_values(monitor.facility, notes=NOTES),
                                   incidents=[incident_values(narrative=NARRATIVE)])
    parts = [("xml_submission_file", ("submission.xml", xml, "text/xml"))]
    head = http.head(f"{base}/key/{token}/submission", timeout=10)
    posted = http.post(f"{base}/key/{token}/submission?deviceID={NOTES}", files=parts,
                       timeout=30)
    assert posted.status_code == 201, posted.text
    again = http.post(f"{base}/key/{token}/submission", files=parts, timeout=30)
    assert again.status_code in (200, 201, 202), again.text
    # The JSON API: the token as a bearer, the canary in notes and narrative; then the same
    # id with another narrative (refused: 409) and a malformed one (422).
    auth = {"Authorization": f"Bearer {token}", "Cookie": f"session={token}",
            "Referer": f"https://example.org/?q={NARRATIVE}"}
    body = report(monitor.facility, notes=NOTES)
    body["incidents"][0]["narrative"] = NARRATIVE
    created = http.post(f"{base}/api/submissions", json=body, headers=auth, timeout=30)
    assert created.status_code == 201, created.text
    changed = dict(body, notes=NOTES + "-changed")
    conflict = http.post(f"{base}/api/submissions", json=changed, headers=auth, timeout=30)
    assert conflict.status_code == 409
    bad = http.post(f"{base}/api/submissions", json={"id": NARRATIVE, "notes": NOTES},
                    headers=auth, timeout=30)
    assert bad.status_code == 422
    wrong = http.post(f"{base}/key/{token}x/submission", files=parts, timeout=30)
    assert wrong.status_code in (401, 403, 404)
    sent = {name: response.headers["X-Request-Id"] for name, response in (
        ("head", head), ("openrosa", posted), ("json", created), ("conflict", conflict),
        ("bad", bad))}
    # done: a connection left open would hold a stopping worker for its keep-alive linger
    http.close()
    return sent, instance


def _secrets(monitor, instance: str) -> tuple:
    return (NARRATIVE, NOTES, monitor.token, monitor.token[4:], instance.removeprefix("uuid:"))


def _check_app_lines(lines: list[str], sent: dict) -> None:
    parsed = [json.loads(line) for line in lines]  # every line is one JSON object
    access = [p for p in parsed if p["logger"] == "gunicorn.access"]
    app_lines = [p for p in parsed if p["logger"] == "nezarat.submissions"]
    assert {p["request_id"] for p in access} >= set(sent.values())
    assert all(p["request_id"] for p in access)
    assert sum(p["path"] == "/key/[redacted]/submission" for p in access) >= 3
    by_request = {p["request_id"]: p for p in app_lines}
    assert by_request[sent["openrosa"]]["door"] == "openrosa"
    assert by_request[sent["json"]]["outcome"] == "accepted"
    assert by_request[sent["conflict"]]["reason"] == "conflict"
    assert by_request[sent["bad"]]["reason"] == "invalid"
    assert len(set(sent.values())) == len(sent)


def test_no_canary_and_no_token_in_any_log_line(database_url, monitor, tmp_path):
    server = Gunicorn(database_url, tmp_path, workers=2).start()
    try:
        sent, instance = _send_canaries(server.base, monitor)
    finally:
        assert server.stop() == 0
    lines = server.lines()
    everything = "\n".join(lines)
    assert len(lines) >= 8, everything
    for secret in _secrets(monitor, instance):
        assert secret not in everything, f"{secret!r} is in the logs"
    _check_app_lines(lines, sent)


def test_behind_caddy_no_canary_in_caddys_log_either(database_url, monitor, tmp_path):
    """The same through deploy/Caddyfile as a server runs it: Caddy's access log (and its own
    output) holds neither the canaries nor the token, and Caddy's request id is the one in the
    app's lines and in the response (TRUSTED_PROXIES=1)."""
    if not shutil.which("caddy"):
        if os.environ.get("CI"):
            pytest.fail("caddy missing: scripts/system-deps.sh extracts it")
        pytest.skip("caddy missing (scripts/system-deps.sh extracts it)")
    server = Gunicorn(database_url, tmp_path, workers=2, env={"TRUSTED_PROXIES": "1"}).spawn()
    proxy = Caddy(f"127.0.0.1:{server.port}", tmp_path)
    try:
        proxy.start()  # while gunicorn boots
        server.wait_ready()
        sent, instance = _send_canaries(proxy.base, monitor)
    finally:
        proxy.stop()
        assert server.stop() == 0
    caddy_lines = proxy.lines()
    access = [json.loads(line) for line in caddy_lines if '"http.log.access' in line]
    assert len(access) >= 8, "\n".join(caddy_lines)
    everything = "\n".join(caddy_lines + server.lines())
    for secret in _secrets(monitor, instance):
        assert secret not in everything, f"{secret!r} is in the logs"
    for line in access:  # the client's address masked (/16), whichever field carries it
        for key in ("remote_ip", "client_ip"):
            assert line["request"].get(key, "0.0.0.0").endswith(".0.0"), line["request"]
    uris = {a["request"]["uri"] for a in access}
    assert "/key/[redacted]/submission" in uris and "/key/[redacted]/submission?[redacted]" in uris
    for line in access:
        headers = {k.lower() for k in line["request"]["headers"]}
        assert not headers & {"authorization", "cookie", "referer"}, headers
    # Caddy's id for a request is the app's (in the response headers it logs): one grep finds
    # both sides.
    caddy_ids = {a["resp_headers"].get("X-Request-Id", [None])[0] for a in access}
    assert set(sent.values()) <= caddy_ids
    _check_app_lines(server.lines(), sent)
