"""Who may make a new version of a visit (`deprecated_id`): the monitor who submitted it, or a
coordinator of its organisation. A colleague of the same organisation trying it through any door
(JSON API with a device token or a browser session, OpenRosa) is refused with 403 and changes
nothing: the visit keeps its owner, who still reads it in full."""
from __future__ import annotations

import io
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import text

from server.core.access import Principal
from server.core.errors import NotFound
from server.visits import service as visits
from server.visits.schemas import ReportSchema
from tests import factories
from tests.integration.submissions.test_json_api import report
from tests.openrosa_samples import incident_values, submission_xml, visit_values

RESPONSE_NS = {"r": "http://openrosa.org/http/response"}


def _state(session, visit_id) -> dict:
    row = session.execute(text(
        "SELECT monitor_id, version, held_women FROM visits WHERE id = :id"),
        {"id": visit_id}).one()
    return {"monitor_id": row.monitor_id, "version": row.version, "women": row.held_women,
            "records": session.execute(text("SELECT count(*) FROM submission_records "
                                            "WHERE visit_id = :id"), {"id": visit_id}).scalar(),
            "superseded": session.execute(text(
                "SELECT count(*) FROM submission_records WHERE visit_id = :id "
                "AND superseded_by IS NOT NULL"), {"id": visit_id}).scalar(),
            "edits": session.execute(text(
                "SELECT count(*) FROM audit_log WHERE action = 'visit.edit'")).scalar()}


@pytest.fixture()
def colleague(session, field):
    """Monitor B of monitor A's organisation, with a device token of their own."""
    org = field[0]
    monitor_b = factories.user(session, role="monitor", organisation=org)
    return monitor_b, factories.bearer(factories.device_token(session, monitor_b))


def test_a_colleague_cannot_take_over_a_visit_through_the_json_api(client, session, field,
                                                                   colleague):
    _org, monitor_a, facility, auth_a = field
    _, auth_b = colleague
    original = report(facility.id)
    assert client.post("/api/submissions", json=original, headers=auth_a).status_code == 201
    before = _state(session, original["id"])

    takeover = report(facility.id, deprecated_id=original["id"], notes="B was here",
                      held={"women": 99})
    response = client.post("/api/submissions", json=takeover, headers=auth_b)
    assert response.status_code == 403, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert "submitted" in response.get_json()["detail"]

    assert _state(session, original["id"]) == before
    assert before["monitor_id"] == monitor_a.id and before["version"] == 1
    assert session.execute(text("SELECT count(*) FROM submission_records WHERE instance_id = "
                                ":i"), {"i": takeover["id"]}).scalar() == 0
    # A still owns and reads their visit in full; B still cannot read it
    mine = client.get(f"/api/visits/{original['id']}", headers=auth_a)
    assert mine.status_code == 200
    assert mine.get_json()["notes"] == "A detainee named the officer"
    assert client.get(f"/api/visits/{original['id']}", headers=auth_b).status_code == 404
    # and A can still edit it
    edit = report(facility.id, deprecated_id=original["id"], notes="A's correction")
    assert client.post("/api/submissions", json=edit, headers=auth_a).status_code == 201
    assert _state(session, original["id"])["version"] == 2


def test_a_colleague_signed_in_to_the_mobile_app_is_refused_too(client, session, field,
                                                                signed_in_client):
    org, _monitor_a, facility, auth_a = field
    original = report(facility.id)
    client.post("/api/submissions", json=original, headers=auth_a)
    before = _state(session, original["id"])
    browser_b, _ = signed_in_client("monitor", organisation=org)
    response = browser_b.post("/api/submissions",
                              json=report(facility.id, deprecated_id=original["id"]))
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert _state(session, original["id"]) == before


def _odk_post(client, auth: dict, xml: bytes):
    token = auth["Authorization"].removeprefix("Bearer ")
    return client.post(f"/key/{token}/submission", content_type="multipart/form-data",
                       data={"xml_submission_file": (io.BytesIO(xml), "submission.xml")})


def test_a_colleague_cannot_take_over_a_visit_through_openrosa(client, session, field,
                                                               colleague):
    _org, _monitor_a, facility, auth_a = field
    _, auth_b = colleague
    xml, instance = submission_xml(visit_values(facility.id), incidents=[incident_values()])
    assert _odk_post(client, auth_a, xml).status_code == 201
    visit_id = instance.removeprefix("uuid:")
    before = _state(session, visit_id)

    forged, _ = submission_xml(visit_values(facility.id, women=99), deprecated_id=instance)
    response = _odk_post(client, auth_b, forged)
    assert response.status_code == 403, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    detail = ET.fromstring(response.data).find("r:message", RESPONSE_NS).text
    assert "submitted" in detail
    assert _state(session, visit_id) == before


def _edit(session, facility, deprecated: str, principal: Principal):
    body = report(facility.id, deprecated_id=deprecated, photos=[], held={"women": 7})
    loaded = ReportSchema().load(body)
    return visits.submit(loaded, principal, instance_id=body["id"], source="json",
                         body=str(body).encode())


def test_a_coordinator_of_the_organisation_may_edit_and_the_monitor_keeps_it(
        app, client, session, field):
    org, monitor_a, facility, auth_a = field
    original = report(facility.id)
    client.post("/api/submissions", json=original, headers=auth_a)
    coordinator = factories.user(session, role="coordinator", organisation=org)
    as_coordinator = Principal(kind="user", user_id=coordinator.id, organisation_id=org.id,
                               role="coordinator")
    with app.test_request_context():
        result = _edit(session, facility, original["id"], as_coordinator)
    assert result.version == 2
    state = _state(session, original["id"])
    assert state["monitor_id"] == monitor_a.id and state["women"] == 7
    assert client.get(f"/api/visits/{original['id']}", headers=auth_a).status_code == 200


def test_a_coordinator_of_another_organisation_gets_not_found(app, client, session, field):
    _org, _monitor_a, facility, auth_a = field
    original = report(facility.id)
    client.post("/api/submissions", json=original, headers=auth_a)
    before = _state(session, original["id"])
    stranger = factories.user(session, role="coordinator")
    as_stranger = Principal(kind="user", user_id=stranger.id,
                            organisation_id=stranger.organisation_id, role="coordinator")
    with app.test_request_context(), pytest.raises(NotFound):
        _edit(session, facility, original["id"], as_stranger)
    session.rollback()
    assert _state(session, original["id"]) == before


def test_refusal_is_forbidden_not_conflict_even_for_a_superseded_version(
        app, client, session, field, colleague):
    """B must not learn whether A's version was already edited: ownership is checked first."""
    _org, _monitor_a, facility, auth_a = field
    _, auth_b = colleague
    original = report(facility.id)
    client.post("/api/submissions", json=original, headers=auth_a)
    client.post("/api/submissions", json=report(facility.id, deprecated_id=original["id"]),
                headers=auth_a)
    before = _state(session, original["id"])
    response = client.post("/api/submissions",
                           json=report(facility.id, deprecated_id=original["id"]), headers=auth_b)
    assert response.status_code == 403, response.get_json()
    assert "already edited" not in response.get_json()["detail"]
    assert _state(session, original["id"]) == before
