"""Each rule fires once per event: not on a retried job, a retried upload, or an edit that
changes nothing; and the job is enqueued in the submission's own transaction."""
from __future__ import annotations

import uuid

from sqlalchemy import text

from server.alerts import store
from tests import jobs_inline
from tests.integration.submissions.test_json_api import report


def _rule(session, org, kind="incident", params=None, user=None):
    rule_id = store.add_rule(session, org.id, user.id if user else None, kind, params or {},
                             None)
    session.flush()
    return rule_id


def _notes(session, user) -> list:
    return session.execute(text("SELECT kind, event_key, summary FROM notifications "
                                "WHERE user_id = :u ORDER BY event_key"), {"u": user.id}).all()


def test_incident_rule_fires_once_per_event(client, session, field):
    org, _, coordinator, facility, auth = field
    _rule(session, org, params={"min_severity": 3, "types": ["arbitrary_arrest"]})
    body = report(facility.id)
    assert client.post("/api/submissions", json=body, headers=auth).status_code == 201
    assert [j.task_name for j in jobs_inline.todo(session)] == ["alerts.drain"]
    jobs_inline.run_all(session)
    notes = _notes(session, coordinator)
    assert len(notes) == 1 and notes[0].kind == "incident"
    assert notes[0].summary["facility"] == "Islam Qala" and notes[0].summary["severity"] == 3
    # the job run again (a retry): nothing new, nothing mailed again
    from server.jobs.registry import FUNCTIONS
    assert FUNCTIONS["alerts.visit"](visit_id=body["id"]) == 0
    # the same upload again: no new version, no job
    assert client.post("/api/submissions", json=body, headers=auth).status_code == 200
    assert jobs_inline.todo(session) == []
    # an edit that changes nothing of the incident: a job, but no notification
    edit = {**body, "id": str(uuid.uuid4()), "deprecated_id": body["id"]}
    assert client.post("/api/submissions", json=edit, headers=auth).status_code == 201
    jobs_inline.run_all(session)
    assert len(_notes(session, coordinator)) == 1


def test_rules_that_do_not_match_stay_silent(client, session, field):
    org, _, coordinator, facility, auth = field
    _rule(session, org, params={"min_severity": 4})
    _rule(session, org, params={"types": ["death_in_custody"]})
    _rule(session, org, params={"countries": ["PAK"]})
    assert client.post("/api/submissions", json=report(facility.id),
                       headers=auth).status_code == 201
    jobs_inline.run_all(session)
    assert _notes(session, coordinator) == []


def test_access_denied_rule(client, session, field):
    org, _, coordinator, facility, auth = field
    _rule(session, org, kind="access_denied")
    body = report(facility.id, access="denied", access_denied_reason="Guards refused",
                  incidents=[], photos=[], observations={})
    response = client.post("/api/submissions", json=body, headers=auth)
    assert response.status_code == 201, response.get_json()
    jobs_inline.run_all(session)
    assert [n.event_key for n in _notes(session, coordinator)] == [f"access_denied:{body['id']}"]


def test_no_job_when_the_submission_fails(client, session, field):
    org, _, _, facility, auth = field
    bad = report(facility.id, facility_id=str(uuid.uuid4()))
    assert client.post("/api/submissions", json=bad, headers=auth).status_code == 422
    assert jobs_inline.todo(session) == []


def test_not_visited_rule_fires_once_per_gap(session, field):
    from server.alerts import evaluate
    org, _, coordinator, facility, _ = field
    session.execute(text("UPDATE facilities SET created_at = now() - interval '40 days' "
                         "WHERE id = :f"), {"f": facility.id})
    _rule(session, org, kind="not_visited", params={"days": 30})
    assert evaluate.not_visited(session) >= 1
    assert evaluate.not_visited(session) == 0
    keys = [n.event_key for n in _notes(session, coordinator)]
    assert f"not_visited:{facility.id}:never" in keys


def test_personal_rule_alerts_its_person_only(client, session, field):
    from tests import factories
    org, _, coordinator, facility, auth = field
    colleague = factories.user(session, role="coordinator", organisation=org)
    _rule(session, org, user=colleague)
    assert client.post("/api/submissions", json=report(facility.id),
                       headers=auth).status_code == 201
    jobs_inline.run_all(session)
    assert _notes(session, coordinator) == [] and len(_notes(session, colleague)) == 1
