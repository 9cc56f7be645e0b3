"""Factories: real rows through the ORM, in the test's transaction."""
from __future__ import annotations

import itertools
import uuid

from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from server.accounts.models import Organisation
from server.facilities.models import Facility

_seq = itertools.count(1)


def organisation(session, **overrides) -> Organisation:
    n = next(_seq)
    org = Organisation(id=uuid.uuid4(), name=overrides.pop("name", f"Test organisation {n}"),
                       short_name=f"T{n}", kind=overrides.pop("kind", "coalition_member"),
                       **overrides)
    session.add(org)
    session.flush()
    return org


def facility(session, lon: float = 71.08, lat: float = 34.11, **overrides) -> Facility:
    n = next(_seq)
    values = dict(id=uuid.uuid4(), kind="border_crossing", name=f"Facility {n:04d}",
                  country="AFG", admin1="Nangarhar", status="open",
                  location=from_shape(Point(lon, lat), srid=4326))
    values.update(overrides)
    fac = Facility(**values)
    session.add(fac)
    session.flush()
    return fac
