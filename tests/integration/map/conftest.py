"""Small synthetic incidents and visits for the map tests (real rows, the test's transaction)."""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import text

from server.incidents.models import Incident
from server.visits.models import Visit
from tests import factories

TYPES = ("forced_return", "pushback", "arbitrary_arrest", "sgbv")
STATUSES = ("submitted", "has_issues", "verified", "rejected")
WORLD = "-180,-90,180,90"


def add_incident(session, organisation, lon: float, lat: float, day: date, flush: bool = True,
                 **overrides):
    values = dict(id=uuid.uuid4(), organisation_id=organisation.id, type="forced_return",
                  occurred_on=day, location=from_shape(Point(lon, lat), srid=4326),
                  location_precision="exact", country="AFG", severity=3,
                  verification_status="submitted")
    values.update(overrides)
    incident = Incident(**values)
    session.add(incident)
    if flush:
        session.flush()
    return incident


def add_visit(session, facility, organisation, started: datetime, **overrides):
    values = dict(id=uuid.uuid4(), facility_id=facility.id, organisation_id=organisation.id,
                  source="json", started_at=started, ended_at=started + timedelta(hours=1),
                  access="full", review_status="verified")
    values.update(overrides)
    visit = Visit(**values)
    session.add(visit)
    session.flush()
    return visit


def direct_count(session, where: str = "true", **params) -> int:
    """The truth the map must agree with: a plain count over incidents."""
    return session.execute(text(
        f"SELECT count(*) FROM incidents WHERE duplicate_of IS NULL AND retracted_at IS NULL "
        f"AND {where}"), params).scalar_one()


@pytest.fixture()
def orgs(session):
    return [factories.organisation(session) for _ in range(3)]


@pytest.fixture()
def scattered(session, orgs):
    """300 incidents around three towns and a thin background, over two years, all kinds."""
    rng = random.Random(7)
    towns = [(69.17, 34.53, "AFG"), (62.20, 34.35, "AFG"), (71.58, 34.01, "PAK")]
    made = []
    for n in range(300):
        lon, lat, country = rng.choice(towns)
        spread = rng.choice((0.01, 0.2, 2.0))
        made.append(add_incident(
            session, rng.choice(orgs), lon + rng.gauss(0, spread), lat + rng.gauss(0, spread),
            date(2023, 1, 1) + timedelta(days=rng.randrange(730)), country=country,
            type=rng.choice(TYPES), severity=rng.randint(1, 5),
            verification_status=rng.choice(STATUSES), flush=False))
    session.flush()  # one multi-row INSERT rather than 300 round trips
    return made


def now() -> datetime:
    return datetime.now(timezone.utc)
