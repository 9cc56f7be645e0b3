"""Incidents for the review queue, duplicate and export tests (real rows, the test's
transaction), and signed-in coordinators of two organisations."""
from __future__ import annotations

import functools
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from server.incidents.models import Incident, IncidentSensitive
from tests import factories
from tests.conftest import login

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


class Coalition:
    """Two coalition members: `own` with a coordinator and a monitor, `other` with a
    coordinator; clients signed in through the real pages. The users exist from the start; each
    signs in when a test first asks for its client (a sign-in checks an argon2id hash, and most
    tests need one or two of the three)."""

    def __init__(self, app, session):
        self.app = app
        self.own, self.other = factories.organisation(session), factories.organisation(session)
        self.coordinator_user = factories.user(session, role="coordinator", organisation=self.own)
        self.other_coordinator_user = factories.user(session, role="coordinator",
                                                     organisation=self.other)
        self.monitor_user = factories.user(session, role="monitor", organisation=self.own)

    @functools.cached_property
    def coordinator(self):
        return login(self.app.test_client(), self.coordinator_user)

    @functools.cached_property
    def other_coordinator(self):
        return login(self.app.test_client(), self.other_coordinator_user)

    @functools.cached_property
    def monitor(self):
        return login(self.app.test_client(), self.monitor_user)


@pytest.fixture()
def coalition(app, session):
    return Coalition(app, session)


def assert_problem(response, status: int, field: str | None = None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    if field:
        assert field in response.get_json()["errors"], response.get_json()
