"""Incidents for the review queue, duplicate and export tests (real rows, the test's
transaction), and signed-in coordinators of two organisations."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from server.incidents.models import Incident, IncidentSensitive
from tests import factories

DAY = date(2025, 6, 1)


def add_incident(session, organisation, lon: float = 71.08, lat: float = 34.11, *,
                 day: date = DAY, created: datetime | None = None, narrative: str | None = None,
                 affected: dict | None = None, **overrides) -> Incident:
    values = dict(id=uuid.uuid4(), organisation_id=organisation.id, type="pushback",
                  occurred_on=day, location=from_shape(Point(lon, lat), srid=4326),
                  location_precision="exact", country="AFG", severity=3,
                  verification_status="submitted",
                  created_at=created or datetime.now(timezone.utc))
    for group, n in (affected or {}).items():
        values[f"affected_{group}"] = n
    values.update(overrides)
    incident = Incident(**values)
    session.add(incident)
    session.flush()
    if narrative:
        session.add(IncidentSensitive(incident_id=incident.id, narrative=narrative))
        session.flush()
    return incident


def minutes_ago(n: int) -> datetime:
    return datetime.now(timezone.utc) - timedelta(minutes=n)


@pytest.fixture()
def coalition(session, signed_in_client):
    """Two coalition members: `own` with a coordinator and a monitor, `other` with a
    coordinator; clients signed in through the real pages."""
    own, other = factories.organisation(session), factories.organisation(session)
    coordinator, coordinator_user = signed_in_client("coordinator", organisation=own)
    other_coordinator, _ = signed_in_client("coordinator", organisation=other)
    monitor, monitor_user = signed_in_client("monitor", organisation=own)
    return SimpleNamespace(own=own, other=other, coordinator=coordinator,
                           coordinator_user=coordinator_user,
                           other_coordinator=other_coordinator, monitor=monitor,
                           monitor_user=monitor_user)


def assert_problem(response, status: int, field: str | None = None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    if field:
        assert field in response.get_json()["errors"], response.get_json()
