"""The alert inbox (migration 0024): changes wait in it, written in their own transaction, and
one drain job turns a burst of them into notifications — each once, however often the drain
runs — while a change whose evaluation fails is set aside with its error and holds none of the
others back."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import text

from server.alerts import evaluate, store
from server.jobs.registry import FUNCTIONS
from tests import jobs_inline
from tests.integration.submissions.test_json_api import report


def _inbox(session) -> list:
    return session.execute(text("SELECT kind, target_id, attempts, last_error FROM alert_inbox "
                                "ORDER BY id")).all()


def _incident_notes(session, user) -> int:
    return session.execute(text("SELECT count(*) FROM notifications WHERE user_id = :u "
                                "AND kind = 'incident'"), {"u": user.id}).scalar_one()


def test_a_burst_is_drained_by_one_job_each_change_once(client, session, field):
    org, _, coordinator, facility, auth = field
    store.add_rule(session, org.id, None, "incident", {"min_severity": 1}, None)
    bodies = [report(facility.id) for _ in range(5)]
    for body in bodies:
        assert client.post("/api/submissions", json=body, headers=auth).status_code == 201
    assert [row.kind for row in _inbox(session)] == ["visit"] * 5
    assert [j.task_name for j in jobs_inline.todo(session)] == ["alerts.drain"]  # one, not five
    jobs_inline.run_all(session, "alerts.drain")
    incidents = sum(len(b["incidents"]) for b in bodies)
    assert incidents and _incident_notes(session, coordinator) == incidents
    assert _inbox(session) == []
    # the changes again (a drain killed before its commit leaves them waiting): nothing new
    for body in bodies:
        store.inbox_add(session, "visit", uuid.UUID(body["id"]), datetime.now(timezone.utc))
    assert FUNCTIONS["alerts.drain"]() == 0
    assert _incident_notes(session, coordinator) == incidents and _inbox(session) == []


def test_a_change_that_fails_is_set_aside_and_the_others_go_on(client, session, field,
                                                                 monkeypatch):
    org, _, coordinator, facility, auth = field
    store.add_rule(session, org.id, None, "incident", {"min_severity": 1}, None)
    bad, good = report(facility.id), report(facility.id)
    for body in (bad, good):
        assert client.post("/api/submissions", json=body, headers=auth).status_code == 201
    real = evaluate.visit

    def failing(session, visit_id, at, rules=None):
        made = real(session, visit_id, at, rules)  # its notifications are made, then undone
        if str(visit_id) == bad["id"]:
            raise RuntimeError("rules unreadable")
        return made

    monkeypatch.setattr(evaluate, "visit", failing)
    FUNCTIONS["alerts.drain"]()
    assert _incident_notes(session, coordinator) == len(good["incidents"])
    [left] = _inbox(session)
    assert (str(left.target_id), left.attempts) == (bad["id"], 1)
    assert left.last_error == "RuntimeError: rules unreadable"
    monkeypatch.setattr(evaluate, "visit", real)  # mended: the next drain takes it
    FUNCTIONS["alerts.drain"]()
    assert _incident_notes(session, coordinator) == len(good["incidents"]) + len(bad["incidents"])
    assert _inbox(session) == []
