"""Demo-like data for the workspace browser tests: five facilities with visits (scores by area,
a stale one, one where access was denied), ~100 incidents of two organisations clustered around
three places over 2025, and a review queue of three reports, two of them the same event."""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from server.attachments import photos
from server.attachments.models import Attachment
from server.incidents.models import Incident, IncidentSensitive
from server.visits.models import Visit
from tests import factories
from tests import photos as samples

# name, kind, country, lon, lat
FACILITIES = {
    "Torkham": ("border_crossing", "AFG", 71.0847, 34.1147),
    "Islam Qala": ("border_crossing", "AFG", 61.0667, 34.6667),
    "Herat reception": ("reception_centre", "AFG", 62.2, 34.35),
    "Mashhad holding": ("detention_centre", "IRN", 59.6, 36.3),
    "Chaman": ("border_crossing", "PAK", 66.45, 30.92),
}
# Torkham's visits: days ago -> the ratings of three dimensions (the trend chart's lines), and
# the ring (red flags first, then the worst dimension).
TORKHAM_VISITS = [(300, (4, 4, 3), "3"),
                  (230, (4, 3, 3), "3"),
                  (160, (3, 3, 2), "2"),
                  (90, (3, 2, 1), "1"),
                  (20, (2, 1, 2), "red_flag")]
DIMENSIONS = ("material_conditions", "safety_treatment", "legal_protection")
RED_FLAG = {"code": "solitary_over_15_days", "dimension": "safety_treatment",
            "state": "de_facto_authorities", "source": "visit", "count": 2}
# place -> (facility, types, how many)
CLUSTERS = {"Torkham": ("pushback", "forced_return"), "Herat reception":
            ("arbitrary_arrest", "denial_of_basic_needs"), "Chaman": ("forced_return",)}
PAIR_DAY = date(2025, 11, 10)  # after every background incident: no other original matches


@dataclass
class Workspace:
    own: uuid.UUID
    other: uuid.UUID
    facilities: dict = field(default_factory=dict)  # name -> id
    incidents: list = field(default_factory=list)  # (id, type, status, lon, lat)
    to_verify: uuid.UUID | None = None
    pair: tuple = ()  # (earlier, later)
    pending_visit: uuid.UUID | None = None


def _dimensions(ratings) -> dict:
    dims = {name: {"rating": rating, "insufficient_evidence": False, "coverage": "full",
                   "evidence": ["observed", "interview_private"], "source": "monitor",
                   "indicators": []}
            for name, rating in zip(DIMENSIONS, ratings)}
    dims["return_reception"] = {"rating": None, "insufficient_evidence": True,
                                "coverage": "none", "evidence": [], "source": "monitor"}
    return {"version": 1, "state": "de_facto_authorities", "derived_from_earlier_form": False,
            **dims}


def _visit(session, facility_id, organisation_id, days_ago: int, **values) -> uuid.UUID:
    started = datetime.now(timezone.utc) - timedelta(days=days_ago)
    values.setdefault("review_status", "verified")
    visit = Visit(id=uuid.uuid4(), facility_id=facility_id, organisation_id=organisation_id,
                  source="demo", started_at=started, ended_at=started + timedelta(hours=2),
                  **values)
    session.add(visit)
    return visit.id


def _incident(session, organisation_id, lon, lat, day, **values) -> Incident:
    incident = Incident(id=uuid.uuid4(), organisation_id=organisation_id, occurred_on=day,
                        location=from_shape(Point(lon, lat), srid=4326),
                        location_precision="exact", **values)
    session.add(incident)
    return incident


def load(session, own_organisation_id) -> Workspace:
    other = factories.organisation(session, name="Other coalition member")
    data = Workspace(own=own_organisation_id, other=other.id)
    for name, (kind, country, lon, lat) in FACILITIES.items():
        data.facilities[name] = factories.facility(
            session, name=name, kind=kind, country=country, admin1=None, lon=lon, lat=lat).id
    for days_ago, ratings, ring in TORKHAM_VISITS:
        _visit(session, data.facilities["Torkham"], data.own, days_ago, access="full",
               dimensions=_dimensions(ratings), ring=ring,
               red_flags=[RED_FLAG] if ring == "red_flag" else [])
    _visit(session, data.facilities["Islam Qala"], data.own, 200, access="full", ring="3",
           dimensions=_dimensions((3, 3, 3)))
    # Waiting for review, flagged; older than the facility's latest visit.
    data.pending_visit = _visit(
        session, data.facilities["Islam Qala"], data.own, 250, access="partial",
        ring="insufficient", review_status="submitted", dimensions=_dimensions((3, None, None)),
        flags=[{"code": "far_from_facility", "reason": "Device was 3.2 km from the facility."},
               {"code": "poor_accuracy", "reason": "GPS accuracy 150 m is worse than 100 m."}])
    _visit(session, data.facilities["Mashhad holding"], other.id, 10, access="denied")
    _visit(session, data.facilities["Chaman"], other.id, 30, access="full", ring="4",
           dimensions=_dimensions((4, 4, 4)))

    rng = random.Random(5)
    for place, types in CLUSTERS.items():
        _, country, lon, lat = FACILITIES[place]
        for n in range(30):
            status = "rejected" if n % 15 == 14 else "verified"
            organisation = data.own if n % 2 else other.id
            kind = types[n % len(types)]
            x, y = lon + rng.gauss(0, 0.03), lat + rng.gauss(0, 0.03)
            made = _incident(session, organisation, x, y,
                             date(2025, 1, 1) + timedelta(days=rng.randrange(270)), type=kind,
                             severity=rng.randint(1, 5), verification_status=status,
                             country=country, affected_men=rng.randint(1, 40))
            data.incidents.append((made.id, kind, status, x, y))

    # The review queue: one report to verify, and two reports of one pushback at Torkham.
    now = datetime.now(timezone.utc)
    herat = FACILITIES["Herat reception"]
    verify = _incident(session, data.own, herat[2], herat[3], date(2025, 11, 2),
                       type="ill_treatment", severity=4, verification_status="submitted",
                       country="AFG", facility_id=data.facilities["Herat reception"],
                       affected_women=3, created_at=now - timedelta(hours=3))
    session.add(IncidentSensitive(incident_id=verify.id,
                                  narrative="Synthetic: beaten during transfer."))
    earlier = _incident(session, data.own, 71.085, 34.115, PAIR_DAY, type="pushback",
                        severity=3, verification_status="submitted", country="AFG",
                        affected_men=12, facility_id=data.facilities["Torkham"],
                        created_at=now - timedelta(hours=2))
    later = _incident(session, data.own, 71.09, 34.12, PAIR_DAY + timedelta(days=1),
                      type="pushback", severity=3, verification_status="submitted",
                      country="AFG", affected_men=10, affected_boys=1,
                      created_at=now - timedelta(hours=1))
    for made, lon, lat in ((verify, herat[2], herat[3]), (earlier, 71.085, 34.115),
                           (later, 71.09, 34.12)):
        data.incidents.append((made.id, made.type, "submitted", lon, lat))
    data.to_verify, data.pair = verify.id, (earlier.id, later.id)
    session.flush()
    photo = photos.save(photos.prepare(samples.jpeg_with_everything(), "cell.jpg", 40_000_000))
    session.add(Attachment(incident_id=verify.id, filename="cell.jpg", sha256=photo.sha256,
                           media_type=photo.media_type, width=photo.width, height=photo.height,
                           bytes=photo.bytes, received_at=now, captured_at=photo.captured_at,
                           received_sha256=photo.received_sha256))
    session.flush()
    return data
