"""Instants at the edges of the calendar (second adversarial pass). `9999-12-31T23:59:59-12:00`
is a valid RFC 3339 time whose UTC form is in year 10000, and `0001-01-01T00:00:00+14:00` one
whose UTC form is before year 1: Python cannot hold either in UTC, and a partner's
`updated_since` or a phone's check-in carrying one answered 500 (OverflowError). Every
timestamp a client sends is one field (`core.validation.Timestamp`) that refuses them: 422."""
from __future__ import annotations

import uuid

import pytest

from server.incidents.service import incident_id_for
from tests import factories
from tests.integration.partner import helpers as partner
from tests.integration.submissions.conftest import field  # noqa: F401 (fixture)
from tests.integration.submissions.test_edit_review import incident, submit
from tests.integration.submissions.test_json_api import report

EDGES = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"]


@pytest.mark.parametrize("instant", EDGES)
def test_a_partner_sync_point_beyond_the_calendar_is_a_422(client, session, instant):
    _, headers = partner.partner(session)
    response = client.get("/api/partner/v1/incidents", query_string={"updated_since": instant},
                          headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "updated_since" in response.get_json()["errors"]


@pytest.mark.parametrize("instant", EDGES)
def test_a_phone_check_in_beyond_the_calendar_is_a_422(client, session, instant):
    token = factories.device_token(session, factories.user(session, role="monitor"))
    response = client.post("/api/device/check-in", headers=factories.bearer(token), json={
        "pending": [{"id": str(uuid.uuid4()), "created_at": instant, "updated_at": instant}]})
    assert response.status_code == 422, response.get_data(as_text=True)


@pytest.mark.parametrize("instant", EDGES)
def test_a_review_precondition_beyond_the_calendar_is_a_422(client, session, field,  # noqa: F811
                                                            signed_in_client, instant):
    org, _monitor, facility, auth = field
    body = report(facility.id, photos=[], incidents=[incident()])
    submit(client, auth, body)
    coordinator, _ = signed_in_client("coordinator", organisation=org)
    response = coordinator.post(f"/api/incidents/{incident_id_for(body['id'], 0)}/review",
                                json={"action": "verify", "updated_at": instant})
    assert response.status_code == 422, response.get_data(as_text=True)


@pytest.mark.parametrize("instant", EDGES)
def test_a_visit_beyond_the_calendar_is_a_422(client, field, instant):  # noqa: F811
    _org, _monitor, facility, auth = field
    body = report(facility.id, photos=[], incidents=[])
    body["started_at"] = instant
    response = client.post("/api/submissions", json=body, headers=auth)
    assert response.status_code == 422, response.get_data(as_text=True)
