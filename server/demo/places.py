"""Demo step: the real facilities of data/places.csv and a few synthetic organisations."""
from __future__ import annotations

import csv
import uuid
from pathlib import Path

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import text

from ..accounts.models import Organisation
from ..core.db import db
from ..facilities.models import Facility

PLACES = Path(__file__).resolve().parents[1] / "data" / "places.csv"
NAMESPACE = uuid.UUID("5f0b5a3e-2c55-4d1e-9d86-9e6f2f1f4b10")

ORGANISATIONS = [
    ("Afghan Returnee Rights Monitors (demo)", "ARRM", "coalition_member", "AFG"),
    ("Border Protection Watch (demo)", "BPW", "coalition_member", "PAK"),
    ("Humanitarian Data Partner (demo)", "HDP", "partner", None),
]


def demo_id(*parts: str) -> uuid.UUID:
    """Stable ids make loading idempotent."""
    return uuid.uuid5(NAMESPACE, "/".join(parts))


def read_places() -> list[dict]:
    with PLACES.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_organisations(progress) -> None:
    session = db.session
    for name, short, kind, country in progress(ORGANISATIONS, "organisations"):
        org_id = demo_id("org", short)
        if session.get(Organisation, org_id) is None:
            session.add(Organisation(id=org_id, name=name, short_name=short, kind=kind,
                                     country=country, demo=True))
    session.commit()


def load_facilities(progress) -> None:
    session = db.session
    for place in progress(read_places(), "facilities"):
        facility_id = demo_id("facility", place["name"])
        if session.get(Facility, facility_id) is not None:
            continue
        session.add(Facility(
            id=facility_id, kind=place["kind"], name=place["name"],
            name_prs=place["name_prs"] or None, name_pus=place["name_pus"] or None,
            name_fas=place["name_fas"] or None, name_urd=place["name_urd"] or None,
            country=place["country"], admin1=place["admin1"] or None,
            location=from_shape(Point(float(place["lon"]), float(place["lat"])), srid=4326),
            location_precision=place["location_precision"],
            capacity=int(place["capacity"]) if place["capacity"] else None,
            authority=place["authority"] or None, description=place["description"] or None,
            source_url=place["source_url"] or None, status="open", demo=True))
    session.commit()


def clear(progress) -> None:
    session = db.session
    for table in progress(["facilities", "organisations"], "places"):
        session.execute(text(f"DELETE FROM {table} WHERE demo"))
    session.commit()
