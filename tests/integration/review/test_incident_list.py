"""GET /api/incidents: the review queue's list of an organisation's incidents, keyset-paged,
with the flags of their visits and their possible duplicates."""
from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timezone

import pytest

from server.visits.models import Visit
from tests import factories

from .conftest import add_incident, assert_problem, minutes_ago


def ids_of(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


def test_coordinators_list_their_organisations_incidents_by_status(session, coalition):
    own, other = coalition.own, coalition.other
    pending = [add_incident(session, own, created=minutes_ago(n)) for n in range(3)]
    verified = add_incident(session, own, verification_status="verified")
    merged = add_incident(session, own, duplicate_of=pending[0].id)
    retracted = add_incident(session, own, retracted_at=datetime.now(timezone.utc))
    theirs = add_incident(session, other)

    listed = ids_of(coalition.coordinator.get("/api/incidents?verification_status=submitted"))
    assert listed == [str(i.id) for i in pending]  # newest report first
    everything = ids_of(coalition.coordinator.get("/api/incidents"))
    assert set(everything) == {str(i.id) for i in pending + [verified]}
    assert str(merged.id) not in everything and str(retracted.id) not in everything
    # The other organisation's coordinator sees only theirs.
    assert ids_of(coalition.other_coordinator.get("/api/incidents")) == [str(theirs.id)]


def test_items_carry_the_queue_fields_and_no_sensitive_ones(session, coalition):
    facility = factories.facility(session, name="Torkham")
    visit = Visit(id=uuid.uuid4(), facility_id=facility.id, organisation_id=coalition.own.id,
                  source="json", started_at=minutes_ago(90), ended_at=minutes_ago(30),
                  access="full", flags=[{"code": "far_from_facility", "reason": "3 km away"}])
    session.add(visit)
    session.flush()
    add_incident(session, coalition.own, visit_id=visit.id, facility_id=facility.id,
                 narrative="A named person", profiles={"journalist": 1},
                 monitor_id=coalition.monitor_user.id, affected={"women": 2, "boys": 1})
    [item] = coalition.coordinator.get("/api/incidents").get_json()["items"]
    assert item["facility_name"] == "Torkham"
    assert item["visit_flags"] == [{"code": "far_from_facility", "reason": "3 km away"}]
    # men, girls and unaccompanied not given: not known (issue 15), the total "at least 3"
    assert item["affected"] == {"women": 2, "men": None, "girls": None, "boys": 1,
                                "unaccompanied": None, "total": 3}
    assert item["possible_duplicate_of"] == []
    assert item["occurred_on"] == "2025-06-01"  # RFC 3339, not Flask's default HTTP date
    assert datetime.fromisoformat(item["created_at"]).tzinfo is not None
    for hidden in ("narrative", "profiles", "monitor_id"):
        assert hidden not in item


def test_monitors_list_only_their_own(session, coalition):
    mine = add_incident(session, coalition.own, monitor_id=coalition.monitor_user.id)
    add_incident(session, coalition.own)  # a colleague's
    assert ids_of(coalition.monitor.get("/api/incidents")) == [str(mine.id)]


def test_keyset_pages_cover_every_incident_once(session, coalition):
    made = {str(add_incident(session, coalition.own, created=minutes_ago(n % 3)).id)
            for n in range(7)}  # equal timestamps: the id breaks ties
    seen, url, pages = [], "/api/incidents?limit=3", 0
    while url:
        body = coalition.coordinator.get(url).get_json()
        seen += [item["id"] for item in body["items"]]
        url, pages = next((link["href"] for link in body["links"] if link["rel"] == "next"), None), pages + 1
    assert pages == 3 and len(seen) == 7 and set(seen) == made


def test_anonymous_and_admins_are_refused(client, session, coalition, signed_in_client):
    assert_problem(client.get("/api/incidents"), 401)
    admin, _ = signed_in_client("admin", organisation=coalition.own)
    assert_problem(admin.get("/api/incidents"), 403)


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize("query, field", [
    ("verification_status=pending", "verification_status"),
    ("limit=0", "limit"), ("limit=501", "limit"), ("limit=many", "limit"),
    ("facility_id=42", "facility_id"),
    ("cursor=%%%", "cursor"),
    (f"cursor={_cursor(['yesterday', 'x'])}", "cursor"),
    (f"cursor={_cursor([1, 2, 3])}", "cursor"),
    ("colour=red", "colour"),
])
def test_bad_parameters_get_problem_json(coalition, query, field):
    assert_problem(coalition.coordinator.get(f"/api/incidents?{query}"), 422, field)
