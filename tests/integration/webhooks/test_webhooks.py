"""Webhooks against a real HTTP receiver on 127.0.0.1 that fails, times out, answers slowly and
answers 410; the signature verified with the README's snippet; order, retries, dead letter."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import text

from server.webhooks import service
from tests import factories, jobs_inline
from tests.conftest import _free_port


def verify(secret: str, headers, body: bytes, tolerance: int = 300) -> bool:
    """The README's verification snippet, verbatim."""
    timestamp = headers["X-Nezarat-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                                hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Nezarat-Signature"])


class Receiver:
    def __init__(self):
        self.answers: list = []  # per request: status, or ("sleep", seconds, status)
        self.got: list[tuple[dict, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                answer = outer.answers.pop(0) if outer.answers else 200
                if isinstance(answer, tuple):
                    time.sleep(answer[1])
                    answer = answer[2]
                outer.got.append((dict(self.headers), body, answer))
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture()
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture()
def partner(session, app):
    org = factories.organisation(session, kind="partner")
    key = factories.partner_key(session, org, scopes=("incidents:read",))
    return org, factories.bearer(key)


def _incident(session, facility, n: int):
    """A verified, shareable incident (the default policy shares verified ones)."""
    import uuid
    incident_id = uuid.uuid4()
    org = factories.organisation(session)
    session.execute(text(
        "INSERT INTO incidents (id, organisation_id, facility_id, type, occurred_on, "
        "location, location_precision, country, admin1, severity, consent, "
        "verification_status, updated_at) VALUES (:id, :o, :f, 'arbitrary_arrest', "
        "current_date - 30, ST_SetSRID(ST_MakePoint(61.06, 34.66), 4326), 'facility', 'AFG', "
        "'Herat', 3, 'share_anonymised', 'verified', clock_timestamp() + make_interval(secs => :n))"),
        {"id": incident_id, "o": org.id, "f": facility.id, "n": n})
    return incident_id


def _register(client, auth, url) -> dict:
    response = client.post("/api/webhooks", json={"url": url}, headers=auth)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _backdate_hook(session, hook_id):
    session.execute(text("UPDATE webhooks SET synced_asof = now() - interval '1 hour' "
                         "WHERE id = :id"), {"id": hook_id})


def test_changes_are_posted_signed_in_order_and_logged(client, session, partner, receiver):
    org, auth = partner
    hook = _register(client, auth, receiver.url)
    assert hook["secret"].startswith("whsec_")
    _backdate_hook(session, hook["id"])
    facility = factories.facility(session)
    ids = [str(_incident(session, facility, n)) for n in range(3)]
    assert "webhooks.collect" in [j.task_name for j in jobs_inline.todo(session)]
    jobs_inline.run_all(session)
    assert [json.loads(b)["incident_id"] for _, b, _ in receiver.got] == ids
    for headers, body, _ in receiver.got:
        assert verify(hook["secret"], headers, body)
        assert not verify("whsec_wrong", headers, body)
        payload = json.loads(body)
        assert payload["event"] == "incident.upsert" and payload["sync"]["updated_since"]
        assert headers["Idempotency-Key"] == payload["id"]
        assert "narrative" not in body.decode()
    held = session.execute(text("SELECT count(*) FROM partner_deliveries WHERE "
                                "organisation_id = :o"), {"o": org.id}).scalar()
    assert held == 3  # the feed's own ledger
    log = client.get(f"/api/webhooks/{hook['id']}/deliveries", headers=auth).get_json()
    assert [d["status"] for d in log] == ["delivered"] * 3
    # a retraction is a tombstone, delivered after
    session.execute(text("UPDATE incidents SET retracted_at = now(), updated_at = "
                         "clock_timestamp() + interval '10 seconds' WHERE id = :id"),
                    {"id": ids[0]})
    jobs_inline.run_all(session)
    last = json.loads(receiver.got[-1][1])
    assert last["event"] == "incident.tombstone" and last["incident_id"] == ids[0]


def test_failures_timeouts_and_slow_answers_retry_in_order(client, session, partner, receiver,
                                                           monkeypatch):
    org, auth = partner
    monkeypatch.setattr(service, "TIMEOUT", 0.5)
    hook = _register(client, auth, receiver.url)
    _backdate_hook(session, hook["id"])
    facility = factories.facility(session)
    ids = [str(_incident(session, facility, n)) for n in range(2)]
    receiver.answers = [500, ("sleep", 1.0, 200), ("sleep", 0.2, 200), 200]
    jobs_inline.run_all(session, rounds=2)  # collect, then the first attempt fails
    row = session.execute(text("SELECT status, attempts, last_status, next_attempt_at > now() "
                               "AS later FROM webhook_deliveries ORDER BY seq LIMIT 1")).one()
    assert (row.status, row.attempts, row.last_status, row.later) == ("pending", 1, 500, True)
    waiting = jobs_inline.todo(session, "webhooks.deliver")
    assert len(waiting) == 1
    for attempt in range(3):  # time passes: the retry is due
        session.execute(text("UPDATE webhook_deliveries SET next_attempt_at = now() - "
                             "interval '1 second'"))
        jobs_inline.run_all(session, "webhooks.deliver", rounds=1)
    errors = session.execute(text("SELECT last_error FROM webhook_deliveries ORDER BY seq")).all()
    delivered = [json.loads(b)["incident_id"] for _, b, status in receiver.got if status == 200]
    # the timed-out one was sent again (same idempotency id); order kept
    assert delivered[-2:] == ids or delivered == ids, (delivered, errors)
    ids_sent = [json.loads(b)["id"] for _, b, _ in receiver.got]
    assert ids_sent[0] == ids_sent[1]
    statuses = session.execute(text("SELECT status FROM webhook_deliveries ORDER BY seq"))
    assert [s for (s,) in statuses] == ["delivered", "delivered"]


def test_dead_letter_after_a_day_then_the_next_goes(client, session, partner, receiver):
    org, auth = partner
    hook = _register(client, auth, receiver.url)
    _backdate_hook(session, hook["id"])
    facility = factories.facility(session)
    ids = [str(_incident(session, facility, n)) for n in range(2)]
    jobs_inline.run_all(session, "webhooks.collect")
    session.execute(text("UPDATE webhook_deliveries SET first_attempt_at = now() - "
                         "interval '25 hours', attempts = 20 WHERE incident_id = :i"),
                    {"i": ids[0]})
    receiver.answers = [503, 200]
    jobs_inline.run_all(session, "webhooks.deliver", rounds=1)
    log = client.get(f"/api/webhooks/{hook['id']}/deliveries", headers=auth).get_json()
    assert {d["incident_id"]: d["status"] for d in log} == {ids[0]: "dead", ids[1]: "delivered"}


def test_410_disables_the_hook(client, session, partner, receiver):
    org, auth = partner
    hook = _register(client, auth, receiver.url)
    _backdate_hook(session, hook["id"])
    _incident(session, factories.facility(session), 0)
    receiver.answers = [410]
    jobs_inline.run_all(session)
    listed = client.get("/api/webhooks", headers=auth).get_json()
    assert listed[0]["status"] == "disabled" and "410" in listed[0]["disabled_reason"]
    _incident(session, factories.facility(session), 5)
    jobs_inline.run_all(session)
    assert len(receiver.got) == 1


def test_only_https_and_only_own_hooks(client, session, partner, app):
    org, auth = partner
    bad = client.post("/api/webhooks", json={"url": "http://partner.example/x"}, headers=auth)
    assert bad.status_code == 422
    other_org = factories.organisation(session, kind="partner")
    other = factories.bearer(factories.partner_key(session, other_org,
                                                   scopes=("incidents:read",)))
    hook = _register(client, auth, "https://partner.example/hook")
    assert client.get(f"/api/webhooks/{hook['id']}/deliveries", headers=other).status_code == 404
    assert client.delete(f"/api/webhooks/{hook['id']}", headers=other).status_code == 404
    app.config["TESTING"] = False
    try:
        local = client.post("/api/webhooks", json={"url": "http://127.0.0.1:9/x"}, headers=auth)
        assert local.status_code == 422
    finally:
        app.config["TESTING"] = True
