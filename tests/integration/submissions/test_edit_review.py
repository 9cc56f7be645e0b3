"""An edit of a visit that changes anything of an incident's content returns that incident to
`submitted` (a review event and the visit's audit entry say so), so partners stop receiving it
(their next sync gets a tombstone) until a coordinator verifies it again. An edit that leaves an
incident as it was keeps its status."""
from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from server.incidents.service import incident_id_for
from tests.integration.partner import helpers
from tests.integration.submissions.test_json_api import report


def incident(**overrides) -> dict:
    body = {"type": "forced_return", "occurred_on": (date.today() - timedelta(days=3)).isoformat(),
            "date_precision": "exact", "location_precision": "exact",
            "position": {"type": "Point", "coordinates": [61.07, 34.66]}, "severity": 3,
            "affected": {"men": 6, "boys": 1}, "profiles": {"journalist": 1},
            "perpetrator": "border_police", "source_type": "first_hand_testimony",
            "consent": "share_anonymised", "follow_up": False, "narrative": "Taken at night"}
    body.update(overrides)
    return body


def status(session, incident_id) -> str:
    return session.execute(text("SELECT verification_status FROM incidents WHERE id = :id"),
                           {"id": incident_id}).scalar()


def submit(client, auth, body) -> None:
    response = client.post("/api/submissions", json=body, headers=auth)
    assert response.status_code == 201, response.get_json()


def verify_all(coordinator, ids) -> None:
    for incident_id in ids:
        r = coordinator.post(f"/api/incidents/{incident_id}/review", json={"action": "verify"})
        assert r.status_code == 200 and r.get_json()["verification_status"] == "verified", r.data


def edit_of(previous: dict, incidents: list[dict], **overrides) -> dict:
    return report(previous["facility_id"], deprecated_id=previous["id"], photos=[],
                  incidents=incidents, **overrides)


@pytest.fixture()
def verified_visit(client, session, field, signed_in_client):
    """A visit with three verified, shareable incidents, and its organisation's coordinator."""
    org, _monitor, facility, auth = field
    incidents = [incident(), incident(type="pushback"), incident(severity=2)]
    body = report(facility.id, photos=[], incidents=incidents)
    submit(client, auth, body)
    coordinator, _ = signed_in_client("coordinator", organisation=org)
    ids = [incident_id_for(body["id"], n) for n in range(3)]
    verify_all(coordinator, ids)
    return body, incidents, ids, coordinator, auth


def test_an_edit_that_changes_an_incident_takes_it_out_of_the_partner_feed(
        client, session, verified_visit):
    """The attack: verified, then re-sent with a new type, consent, position and severity."""
    body, incidents, (changed, kept, hidden), coordinator, auth = verified_visit
    _partner_org, partner = helpers.partner(session, location_precision="exact",
                                           small_count_k=1)
    features, first = helpers.feed(client, partner)
    assert {f["id"] for f in features} == {str(changed), str(kept), str(hidden)}
    since = first["sync"]["updated_since"]

    edited = copy.deepcopy(incidents)
    edited[0].update(type="arbitrary_arrest", severity=5,
                     position={"type": "Point", "coordinates": [61.2, 34.5]})
    edited[2].update(consent="internal_only")  # becomes unshareable: a tombstone either way
    edit = edit_of(body, edited)
    submit(client, auth, edit)

    assert [status(session, i) for i in (changed, kept, hidden)] == \
        ["submitted", "verified", "submitted"]
    now_shared, _ = helpers.feed(client, partner)
    assert {f["id"] for f in now_shared} == {str(kept)}
    changes, _ = helpers.feed(client, partner, updated_since=since)
    tombstones = {f["id"] for f in changes if f["properties"].get("deleted")}
    assert str(changed) in tombstones and str(hidden) in tombstones
    assert str(kept) not in tombstones

    # history: a review event each, and the edit's audit entry names them
    events = session.execute(text(
        "SELECT target_id, action, from_status, to_status FROM review_events "
        "WHERE action = 'reopen' ORDER BY target_id")).all()
    assert sorted((e.target_id, e.from_status, e.to_status) for e in events) == sorted(
        [(changed, "verified", "submitted"), (hidden, "verified", "submitted")])
    details = session.execute(text(
        "SELECT details FROM audit_log WHERE action = 'visit.edit'")).scalar_one()
    assert sorted(details["reopened"]) == sorted([str(changed), str(hidden)])

    # verified again, it is shared again
    verify_all(coordinator, [changed])
    assert {f["id"] for f in helpers.feed(client, partner)[0]} == {str(changed), str(kept)}


CHANGES = {
    "type": {"type": "collective_expulsion"},
    "consent": {"consent": "share_with_consent"},
    "position": {"position": {"type": "Point", "coordinates": [61.0701, 34.66]}},
    "severity": {"severity": 4},
    "counts": {"affected": {"men": 7, "boys": 1}},
    "unaccompanied": {"affected": {"men": 6, "boys": 1, "unaccompanied": 1}},
    "narrative": {"narrative": "Taken at dawn"},
    "no narrative": {"narrative": None},
    "date": {"occurred_on": (date.today() - timedelta(days=4)).isoformat()},
    "date precision": {"date_precision": "approximate"},
    "location precision": {"location_precision": "facility", "position": None},
    "profiles": {"profiles": {"journalist": 2}},
    "perpetrator": {"perpetrator": "army"},
    "source": {"source_type": "direct_observation"},
    "follow-up": {"follow_up": True},
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_any_change_of_content_returns_the_incident_to_submitted(
        client, session, verified_visit, change):
    body, incidents, ids, _, auth = verified_visit
    edited = copy.deepcopy(incidents)
    edited[1].update(change)
    submit(client, auth, edit_of(body, edited))
    assert [status(session, i) for i in ids] == ["verified", "submitted", "verified"]


def test_moving_the_visit_to_another_facility_reopens_its_incidents(
        client, session, verified_visit):
    from tests import factories
    body, incidents, ids, _, auth = verified_visit
    elsewhere = factories.facility(session, lon=61.08, lat=34.67)
    no_position = [dict(i, position=None, location_precision="facility") for i in incidents]
    edit = edit_of(body, no_position)
    submit(client, auth, edit)
    verify_all(verified_visit[3], ids)
    moved = report(elsewhere.id, deprecated_id=edit["id"], photos=[], incidents=no_position)
    submit(client, auth, moved)
    assert [status(session, i) for i in ids] == ["submitted"] * 3


def test_an_edit_that_leaves_the_incidents_alone_keeps_their_status(
        client, session, verified_visit):
    body, incidents, ids, _, auth = verified_visit
    submit(client, auth, edit_of(body, copy.deepcopy(incidents), notes="Corrected the notes",
                                 held={"women": 1}))
    assert [status(session, i) for i in ids] == ["verified"] * 3
    assert session.execute(text("SELECT count(*) FROM review_events WHERE action = 'reopen'")
                           ).scalar() == 0
    details = session.execute(text(
        "SELECT details FROM audit_log WHERE action = 'visit.edit'")).scalar_one()
    assert details.get("reopened", []) == []


def test_an_incident_dropped_then_restored_is_reviewed_again(client, session, verified_visit):
    body, incidents, ids, _, auth = verified_visit
    dropped = edit_of(body, copy.deepcopy(incidents[:2]))
    submit(client, auth, dropped)
    assert status(session, ids[2]) == "verified"  # retracted: out of every output anyway
    submit(client, auth, edit_of(dropped, copy.deepcopy(incidents)))
    assert [status(session, i) for i in ids] == ["verified", "verified", "submitted"]


def test_a_rejected_or_questioned_incident_changed_by_an_edit_is_submitted_again(
        client, session, verified_visit):
    body, incidents, ids, coordinator, auth = verified_visit
    coordinator.post(f"/api/incidents/{ids[0]}/review",
                     json={"action": "has_issues", "comment": "Check the count"})
    coordinator.post(f"/api/incidents/{ids[1]}/review",
                     json={"action": "reject", "comment": "Not an incident"})
    edited = copy.deepcopy(incidents)
    edited[0]["affected"] = {"men": 9}
    edited[1]["severity"] = 1
    submit(client, auth, edit_of(body, edited))
    assert [status(session, i) for i in ids] == ["submitted", "submitted", "verified"]
    froms = dict(session.execute(text(
        "SELECT target_id, from_status FROM review_events WHERE action = 'reopen'")).all())
    assert froms == {ids[0]: "has_issues", ids[1]: "rejected"}
