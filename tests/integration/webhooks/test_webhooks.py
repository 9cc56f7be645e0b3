"""Webhooks against a real HTTP receiver on 127.0.0.1 that fails, times out, answers slowly,
answers 410 and is down for an hour; the signature verified with the README's snippet; order,
batches, retries, dead letter, exactly once per idempotency id."""
from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import text

from server.webhooks import service
from tests import factories, jobs_inline
from tests.conftest import _free_port

README = Path(__file__).resolve().parents[3] / "README.md"


def _readme_snippet() -> dict:
    """The README's verification snippet, run as it is printed there."""
    section = README.read_text().split("**Webhooks.**", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert "def verify(" in code and "def events(" in code
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - the project's own README
    return scope


SNIPPET = _readme_snippet()
verify, readme_events = SNIPPET["verify"], SNIPPET["events"]


class Receiver:
    def __init__(self, port: int | None = None):
        self.answers: list = []  # per request: status, or ("sleep", seconds, status)
        self.got: list[tuple[dict, bytes, int]] = []
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

        self.server = ThreadingHTTPServer(("127.0.0.1", port or _free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def events(self, accepted_only: bool = False) -> list[dict]:
        """Every delivery received, in the order received (of the accepted POSTs only)."""
        return [event for _, body, status in self.got
                if not accepted_only or 200 <= status < 300 for event in json.loads(body)]


@pytest.fixture()
def receiver():
    r = Receiver()
    yield r
    r.stop()


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
    assert len(receiver.got) == 1  # the three waiting changes in one signed batch, in order
    headers, body, _ = receiver.got[0]
    assert verify(hook["secret"], headers, body)
    assert not verify("whsec_wrong", headers, body)
    assert not verify(hook["secret"], headers, body.replace(b"upsert", b"tombstone", 1))
    events = readme_events(hook["secret"], headers, body)
    assert [e["incident_id"] for e in events] == ids
    assert readme_events("whsec_wrong", headers, body) is None
    for payload in events:
        assert payload["event"] == "incident.upsert" and payload["sync"]["updated_since"]
    assert headers["Idempotency-Key"] == service.batch_id([e["id"] for e in events])
    assert headers["X-Nezarat-Count"] == "3"
    assert "narrative" not in body.decode()
    held = session.execute(text("SELECT count(*) FROM partner_deliveries WHERE "
                                "organisation_id = :o"), {"o": org.id}).scalar()
    assert held == 3  # the feed's own ledger
    log = client.get(f"/api/webhooks/{hook['id']}/deliveries", headers=auth).get_json()["items"]
    assert [d["status"] for d in log] == ["delivered"] * 3  # the log: one entry per change
    assert [d["idempotency_id"] for d in log] == [e["id"] for e in reversed(events)]
    # a retraction is a tombstone, delivered after
    session.execute(text("UPDATE incidents SET retracted_at = now(), updated_at = "
                         "clock_timestamp() + interval '10 seconds' WHERE id = :id"),
                    {"id": ids[0]})
    jobs_inline.run_all(session)
    last = receiver.events()[-1]
    assert len(receiver.got) == 2 and last["event"] == "incident.tombstone" and last["incident_id"] == ids[0]


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
    deadline = time.monotonic() + 5  # the timed-out request is recorded once its answer is made
    while len(receiver.got) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    # refused (500), timed out (answered after the client gave up), then accepted (slowly)
    assert [status for _, _, status in receiver.got] == [500, 200, 200], errors
    # the batch refused was sent again as it was: same body, same key, same idempotency ids
    assert len({body for _, body, _ in receiver.got}) == 1
    assert len({headers["Idempotency-Key"] for headers, _, _ in receiver.got}) == 1
    assert [e["incident_id"] for e in json.loads(receiver.got[-1][1])] == ids
    statuses = session.execute(text("SELECT status FROM webhook_deliveries ORDER BY seq"))
    assert [s for (s,) in statuses] == ["delivered", "delivered"]


def test_dead_letter_after_a_day_then_the_next_goes(client, session, partner, receiver):
    org, auth = partner
    hook = _register(client, auth, receiver.url)
    _backdate_hook(session, hook["id"])
    facility = factories.facility(session)
    ids = [str(_incident(session, facility, n)) for n in range(2)]
    receiver.answers = [503, 503, 200]
    jobs_inline.run_all(session, rounds=2)  # collected, sent as one batch, refused
    later = str(_incident(session, facility, 5))  # a change after the batch: not in it
    jobs_inline.run_all(session, "webhooks.collect")
    session.execute(text("UPDATE webhook_deliveries SET first_attempt_at = now() - "
                         "interval '25 hours', next_attempt_at = now() - interval '1 second' "
                         "WHERE attempts > 0"))  # a day of refusals
    jobs_inline.run_all(session, "webhooks.deliver", rounds=1)
    log = client.get(f"/api/webhooks/{hook['id']}/deliveries", headers=auth).get_json()["items"]
    assert {d["incident_id"]: d["status"] for d in log} == {
        ids[0]: "dead", ids[1]: "dead", later: "delivered"}
    sent = [([e["incident_id"] for e in json.loads(body)], status)
            for _, body, status in receiver.got]
    assert sent == [(ids, 503), (ids, 503), ([later], 200)]


def test_a_backlog_goes_in_few_requests_in_order(client, session, partner, receiver,
                                                  monkeypatch):
    """250 waiting changes reach the receiver in 3 POSTs (at most 100 each), in order, each
    once; a cap in bytes cuts batches too (and a change larger than it still goes, alone)."""
    org, auth = partner
    hook = _register(client, auth, receiver.url)
    _backdate_hook(session, hook["id"])
    facility = factories.facility(session)
    ids = [str(_incident(session, facility, n)) for n in range(250)]
    jobs_inline.run_all(session)
    assert [len(json.loads(body)) for _, body, _ in receiver.got] == [100, 100, 50]
    assert [e["incident_id"] for e in receiver.events()] == ids
    for headers, body, _ in receiver.got:
        assert verify(hook["secret"], headers, body)
    log = client.get(f"/api/webhooks/{hook['id']}/deliveries?limit=1000",
                     headers=auth).get_json()["items"]
    assert len(log) == 250 and {d["status"] for d in log} == {"delivered"}
    assert {d["attempts"] for d in log} == {1}

    one = session.execute(text("SELECT max(octet_length(payload)) FROM webhook_deliveries"
                               )).scalar()
    monkeypatch.setattr(service, "BATCH_BYTES", 3 * one)
    more = [str(_incident(session, facility, 300 + n)) for n in range(7)]
    before = len(receiver.got)
    jobs_inline.run_all(session)
    sizes = [len(json.loads(body)) for _, body, _ in receiver.got[before:]]
    assert sizes == [3, 3, 1] and [e["incident_id"] for e in receiver.events()] == ids + more
    monkeypatch.setattr(service, "BATCH_BYTES", one // 2)
    last = str(_incident(session, facility, 400))
    jobs_inline.run_all(session)
    assert [e["incident_id"] for e in json.loads(receiver.got[-1][1])] == [last]


def test_a_receiver_down_for_an_hour_gets_everything_in_order_once(client, session, partner,
                                                                  receiver):
    """The receiver goes away (connection refused) while changes keep coming for an hour; the
    batch in flight is tried again as it was, the rest waits; when the receiver is back, all of
    it arrives, in order, each idempotency id accepted exactly once."""
    org, auth = partner
    hook = _register(client, auth, receiver.url)
    _backdate_hook(session, hook["id"])
    port = receiver.server.server_port
    receiver.stop()
    facility = factories.facility(session)
    ids = [str(_incident(session, facility, n)) for n in range(30)]
    jobs_inline.run_all(session, rounds=2)  # collected; the first attempt is refused
    for round_ in range(6):  # the hour: every retry refused, 20 more changes each time
        ids += [str(_incident(session, facility, 100 * (round_ + 1) + n)) for n in range(20)]
        jobs_inline.run_all(session, "webhooks.collect")
        session.execute(text("UPDATE webhook_deliveries SET next_attempt_at = now() - "
                             "interval '1 second', first_attempt_at = first_attempt_at - "
                             "interval '10 minutes' WHERE attempts > 0"))
        jobs_inline.run_all(session, "webhooks.deliver", rounds=1)
    rows = session.execute(text("SELECT status, attempts, count(*) FROM webhook_deliveries "
                                "GROUP BY 1, 2 ORDER BY 2")).all()
    assert [tuple(r) for r in rows] == [("pending", 0, 120), ("pending", 7, 30)]
    assert "Connection refused" in session.execute(text(
        "SELECT last_error FROM webhook_deliveries WHERE attempts > 0 LIMIT 1")).scalar()

    back = Receiver(port)  # the receiver returns, at the same address
    try:
        session.execute(text("UPDATE webhook_deliveries SET next_attempt_at = now() - "
                             "interval '1 second' WHERE attempts > 0"))
        jobs_inline.run_all(session, "webhooks.deliver", rounds=1)
        accepted = back.events(accepted_only=True)
        assert [e["incident_id"] for e in accepted] == ids
        assert len({e["id"] for e in accepted}) == len(accepted) == 150
        assert [len(json.loads(body)) for _, body, _ in back.got] == [30, 100, 20]
    finally:
        back.stop()
    log = client.get(f"/api/webhooks/{hook['id']}/deliveries?limit=1000",
                     headers=auth).get_json()["items"]
    assert {d["status"] for d in log} == {"delivered"}


def test_410_disables_the_hook(client, session, partner, receiver):
    org, auth = partner
    hook = _register(client, auth, receiver.url)
    _backdate_hook(session, hook["id"])
    _incident(session, factories.facility(session), 0)
    receiver.answers = [410]
    jobs_inline.run_all(session)
    listed = client.get("/api/webhooks", headers=auth).get_json()["items"]
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
