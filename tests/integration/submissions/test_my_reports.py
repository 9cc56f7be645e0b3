"""A monitor's own reports (GET /api/my-reports, /my-reports): the coordinator's decision and
comment reach the monitor who sent the report, and nobody else; a correction sent as a new
version (deprecated_id) returns the visit to review with both versions kept and the diff shown
to the reviewer."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from tests import factories
from tests.integration.submissions.test_json_api import report

COMMENT = "Count the unaccompanied children again"


@pytest.fixture()
def sent_back(client, field, signed_in_client):
    org, monitor, facility, auth = field
    body = report(facility.id, photos=[])
    assert client.post("/api/submissions", json=body, headers=auth).status_code == 201
    coordinator, _ = signed_in_client("coordinator", organisation=org)
    r = coordinator.post(f"/api/visits/{body['id']}/review",
                         json={"action": "has_issues", "comment": COMMENT})
    assert r.status_code == 200, r.data
    return body, coordinator


def test_the_monitor_reads_the_comment_with_the_device_token(client, field, sent_back):
    _, _, _, auth = field
    body, _ = sent_back
    page = client.get("/api/my-reports", headers=auth)
    assert page.status_code == 200, page.data
    [item] = page.get_json()["items"]
    assert item["id"] == body["id"] and item["kind"] == "visit"
    assert item["review_status"] == "has_issues" and item["correctable"] is True
    assert item["instance_id"] == body["id"]
    assert [(c["action"], c["comment"]) for c in item["comments"]] == [("has_issues", COMMENT)]
    assert "actor_id" not in item["comments"][0]
    assert [i["type"] for i in item["incidents"]] == ["arbitrary_arrest"]


def test_no_one_else_reads_a_monitors_reports(client, session, field, sent_back,
                                              signed_in_client):
    org, _, _, _ = field
    colleague = factories.user(session, role="monitor", organisation=org)
    other = client.get("/api/my-reports",
                       headers=factories.bearer(factories.device_token(session, colleague)))
    assert other.status_code == 200 and other.get_json()["items"] == []
    _, coordinator = sent_back
    assert coordinator.get("/api/my-reports").status_code == 403
    assert client.get("/api/my-reports").status_code == 401


def test_a_cursor_of_another_monitor_is_refused(client, session, field, sent_back):
    org, _, facility, auth = field
    for _ in range(2):
        assert client.post("/api/submissions", json=report(facility.id, photos=[]),
                           headers=auth).status_code == 201
    first = client.get("/api/my-reports?limit=1", headers=auth).get_json()
    nxt = [link["href"] for link in first["links"] if link["rel"] == "next"][0]
    assert client.get(nxt, headers=auth).status_code == 200
    colleague = factories.user(session, role="monitor", organisation=org)
    theirs = factories.bearer(factories.device_token(session, colleague))
    assert client.get(nxt, headers=theirs).status_code == 422


def test_a_correction_returns_to_review_with_both_versions_and_the_diff(client, session, field,
                                                                        sent_back):
    _, _, facility, auth = field
    body, coordinator = sent_back
    fix = report(facility.id, photos=[], deprecated_id=body["id"],
                 started_at=body["started_at"], ended_at=body["ended_at"],
                 held={**body["held"], "unaccompanied": 7})
    r = client.post("/api/submissions", json=fix, headers=auth)
    assert r.status_code == 201 and r.get_json()["version"] == 2, r.data
    [item] = client.get("/api/my-reports", headers=auth).get_json()["items"]
    assert item["review_status"] == "submitted" and item["version"] == 2
    assert item["instance_id"] == fix["id"] and item["correctable"] is False
    detail = coordinator.get(f"/api/visits/{body['id']}").get_json()
    assert [h["version"] for h in detail["history"]] == [1, 2]
    assert detail["changes"]["available"] is True
    assert detail["changes"]["changes"] == [
        {"field": "held.unaccompanied", "before": 2, "after": 7}]
    assert session.execute(text("SELECT count(*) FROM visit_versions WHERE visit_id = :v"),
                           {"v": body["id"]}).scalar() == 2
    verified = coordinator.post(f"/api/visits/{body['id']}/review", json={"action": "verify"})
    assert verified.get_json()["review_status"] == "verified"
    [item] = client.get("/api/my-reports", headers=auth).get_json()["items"]
    assert item["review_status"] == "verified"
    assert [c["action"] for c in item["comments"]] == ["has_issues", "verify"]


def test_another_monitor_cannot_correct_it(client, session, field, sent_back):
    org, _, facility, _ = field
    body, _ = sent_back
    colleague = factories.user(session, role="monitor", organisation=org)
    theirs = factories.bearer(factories.device_token(session, colleague))
    r = client.post("/api/submissions", headers=theirs,
                    json=report(facility.id, photos=[], deprecated_id=body["id"]))
    assert r.status_code == 403, r.data


def test_the_web_page_shows_the_comment(field, sent_back, signed_in_client, session):
    org, monitor, _, _ = field
    from flask import current_app

    from tests.conftest import login  # the monitor's own browser session
    web = login(current_app.test_client(), monitor)
    page = web.get("/my-reports")
    assert page.status_code == 200, page.data
    html = page.get_data(as_text=True)
    assert COMMENT in html and 'data-status="has_issues"' in html
    _, coordinator = sent_back
    assert coordinator.get("/my-reports").status_code == 403
