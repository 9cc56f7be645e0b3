"""Second pass, a race: a coordinator opens an incident (or a visit), reads it, and clicks
verify; in between, its monitor edits it (consent internal-only -> shareable, a narrative that
names someone). The edit sent it back to `submitted`, and the click verified the new content,
unread, straight into partner feeds. A decision now names the `updated_at` the reviewer read;
if the record changed since, the answer is 409 and nothing is decided."""
from __future__ import annotations

import copy

from sqlalchemy import text

from server.incidents.service import incident_id_for
from tests.integration.submissions.conftest import field  # noqa: F401 (fixture)
from tests.integration.submissions.test_edit_review import edit_of, incident, submit
from tests.integration.submissions.test_json_api import report


def _setup(client, field, signed_in_client):  # noqa: F811
    org, _monitor, facility, auth = field
    incidents = [incident(consent="internal_only")]
    body = report(facility.id, photos=[], incidents=incidents)
    submit(client, auth, body)
    coordinator, _ = signed_in_client("coordinator", organisation=org)
    return body, incidents, incident_id_for(body["id"], 0), coordinator, auth


def test_verify_after_an_edit_between_read_and_click_is_refused(
        client, session, field, signed_in_client):  # noqa: F811
    body, incidents, incident_id, coordinator, auth = _setup(client, field, signed_in_client)
    seen = coordinator.get(f"/api/incidents/{incident_id}").get_json()
    assert seen["consent"] == "internal_only"

    edited = copy.deepcopy(incidents)
    edited[0].update(consent="share_anonymised", narrative="Named: Ahmad, son of ...")
    submit(client, auth, edit_of(body, edited))

    decision = coordinator.post(f"/api/incidents/{incident_id}/review", json={
        "action": "verify", "updated_at": seen["updated_at"]})
    assert decision.status_code == 409, decision.get_json()
    assert decision.headers["Content-Type"] == "application/problem+json"
    assert session.execute(text("SELECT verification_status FROM incidents WHERE id = :id"),
                           {"id": incident_id}).scalar() == "submitted"
    fresh = coordinator.get(f"/api/incidents/{incident_id}").get_json()
    again = coordinator.post(f"/api/incidents/{incident_id}/review", json={
        "action": "verify", "updated_at": fresh["updated_at"]})
    assert again.status_code == 200 and again.get_json()["verification_status"] == "verified"


def test_a_visit_decision_names_the_version_read(client, session, field, signed_in_client):  # noqa: F811
    body, incidents, _incident_id, coordinator, auth = _setup(client, field, signed_in_client)
    seen = coordinator.get(f"/api/visits/{body['id']}").get_json()
    submit(client, auth, edit_of(body, incidents, notes="changed after the read"))
    decision = coordinator.post(f"/api/visits/{body['id']}/review", json={
        "action": "verify", "updated_at": seen["updated_at"]})
    assert decision.status_code == 409, decision.get_json()
    assert session.execute(text("SELECT review_status FROM visits WHERE id = :id"),
                           {"id": body["id"]}).scalar() == "submitted"


def test_two_coordinators_deciding_at_once_one_sees_the_other(
        client, session, field, signed_in_client):  # noqa: F811
    body, incidents, incident_id, coordinator, auth = _setup(client, field, signed_in_client)
    other, _ = signed_in_client("coordinator", organisation=field[0])
    seen = coordinator.get(f"/api/incidents/{incident_id}").get_json()["updated_at"]
    assert other.post(f"/api/incidents/{incident_id}/review", json={
        "action": "reject", "comment": "Not credible", "updated_at": seen}).status_code == 200
    late = coordinator.post(f"/api/incidents/{incident_id}/review", json={
        "action": "verify", "updated_at": seen})
    assert late.status_code == 409
    assert session.execute(text("SELECT verification_status FROM incidents WHERE id = :id"),
                           {"id": incident_id}).scalar() == "rejected"
