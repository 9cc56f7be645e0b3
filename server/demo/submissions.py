"""Demo step: three years of synthetic visits and incidents at the demo facilities, plausible by
place and season, with generated photos. Everything is flagged demo; nothing names a person.

Conditions follow a facility's baseline and the surges of returns (Pakistan from November 2023,
Iran in the summers, largest in June-July 2025): crowding, water and food shortages and
incidents rise in a surge. Iranian deportation camps mostly deny monitors access.
"""
from __future__ import annotations

import io
import math
import random
import uuid
from datetime import date, datetime, time, timedelta, timezone

from geoalchemy2.shape import from_shape, to_shape
from PIL import Image, ImageDraw
from shapely.geometry import Point
from sqlalchemy import select, text

from ..assessment import DIMENSIONS, EVIDENCE_KINDS, assess_visit
from ..assessment.assess import stored_dimensions
from ..attachments import photos
from ..attachments import service as attachments
from ..attachments.models import Attachment
from ..core.db import db
from ..core.statuses import SUBMITTED
from ..facilities.models import Facility
from ..forms.fields import ASSESSMENT_FORM_VERSION, FIELDS
from ..incidents.models import Incident, IncidentSensitive
from ..incidents.taxonomy import PERPETRATORS, SOURCE_TYPES, default_state
from ..scoring import score_visit
from ..scoring.standards import facility_group, indicators
from ..visits.models import Visit, VisitSensitive
from . import YEARS
from .places import demo_id

SEED = 20231101
# (country, centre date, spread in days, strength)
SURGES = (("PAK", date(2023, 11, 10), 45, 1.0), ("PAK", date(2025, 4, 20), 40, 0.7),
          ("IRN", date(2024, 7, 1), 50, 0.6), ("IRN", date(2025, 6, 28), 35, 1.0),
          ("AFG", date(2023, 11, 12), 45, 0.8), ("AFG", date(2025, 7, 4), 35, 1.0))
TYPES_BY_KIND = {
    "border_crossing": {"forced_return": 30, "pushback": 12, "collective_expulsion": 8,
                        "family_separation": 8, "extortion": 8, "document_confiscation": 5,
                        "physical_violence": 6, "coerced_return_signature": 4,
                        "shooting_at_border": 1, "denial_of_asylum": 4,
                        "child_family_deportation": 3, "harm_after_return": 1,
                        "missing_person": 0.5, "death": 0.4, "other": 2},
    "detention_centre": {"arbitrary_arrest": 18, "ill_treatment": 8, "verbal_abuse": 6,
                         "torture": 1, "physical_violence": 10,
                         "denial_of_basic_needs": 10, "denial_of_legal_access": 5,
                         "denial_of_unhcr": 3, "child_detention": 6, "forced_return": 12,
                         "sgbv": 1.5, "self_harm": 1, "death": 0.5, "extortion": 5,
                         "document_confiscation": 3, "coerced_return_signature": 3},
    "holding_centre": {"arbitrary_arrest": 20, "forced_return": 18, "family_separation": 8,
                       "denial_of_basic_needs": 10, "extortion": 7, "document_confiscation": 4,
                       "ill_treatment": 6, "child_detention": 5, "denial_of_legal_access": 5},
    "reception_centre": {"denial_of_basic_needs": 14, "family_separation": 8,
                         "forced_return": 6, "child_detention": 2, "self_harm": 1,
                         "extortion": 3, "harm_after_return": 1, "trafficking": 0.5, "other": 3},
    "transit_centre": {"denial_of_basic_needs": 12, "family_separation": 6, "forced_return": 6,
                       "other": 2},
}
PERPETRATOR_BY_COUNTRY = {"IRN": ("border_police", "immigration_police", "detention_staff"),
                          "PAK": ("immigration_police", "border_police", "militia"),
                          "AFG": ("border_police", "smugglers", "unknown")}
IRAN_BORDER_PROVINCES = ("Herat", "Nimroz", "Farah")
NARRATIVE = ("Synthetic demo account: {n} people described {what} on {day}. No real person is "
             "described in demo data.")
DENIED_REASONS = ("Camp authorities refused entry without a ministry letter.",
                  "Access limited to the yard; detention rooms not shown.",
                  "Guards asked monitors to leave after 20 minutes.")


def surge(country: str, day: date) -> float:
    return sum(strength * math.exp(-((day - centre).days / spread) ** 2)
               for c, centre, spread, strength in SURGES if c == country)


def summer(day: date) -> float:
    return max(0.0, math.sin((day.timetuple().tm_yday - 100) / 365 * 2 * math.pi))


def load_submissions(progress, years: float = YEARS) -> None:
    session = db.session
    if years <= 0 or session.scalar(select(Visit.id).where(Visit.demo).limit(1)) is not None:
        return
    rng = random.Random(SEED)
    facilities = session.execute(select(Facility).where(Facility.demo)
                                 .order_by(Facility.name)).scalars().all()
    monitors = _monitors(session)
    pictures = [_stored_picture(rng, i) for i in range(12)]
    today = date.today()
    start = today - timedelta(days=round(365 * years))
    for facility in progress(facilities, "visits and incidents"):
        _facility_history(session, rng, facility, monitors, pictures, start, today)
        session.commit()
    session.execute(text("""
        UPDATE visits v SET distance_m = ST_Distance(v.position::geography, f.location::geography)
        FROM facilities f WHERE f.id = v.facility_id AND v.demo AND v.position IS NOT NULL"""))
    session.execute(text("""
        UPDATE visits SET flags = flags || jsonb_build_array(jsonb_build_object(
            'code', 'far_from_facility',
            'reason', format('Device was %s km from the facility.',
                             round((distance_m / 1000)::numeric, 1))))
        WHERE demo AND distance_m > 2000"""))
    session.commit()


def _monitors(session) -> dict[str, tuple]:
    """Organisation short name -> (organisation id, monitor user id or None)."""
    rows = session.execute(text("""
        SELECT o.short_name, o.id, (SELECT u.id FROM users u WHERE u.organisation_id = o.id
                                     AND u.role = 'monitor' AND u.demo ORDER BY u.email LIMIT 1)
        FROM organisations o WHERE o.demo AND o.kind = 'coalition_member'""")).all()
    return {short: (org_id, user_id) for short, org_id, user_id in rows}


def _facility_history(session, rng, facility, monitors, pictures, start, today) -> None:
    org_id, monitor_id = monitors["BPW" if facility.country == "PAK" else "ARRM"]
    point = to_shape(facility.location)
    baseline = rng.uniform(0.35, 0.9) if facility.country != "IRN" else rng.uniform(0.15, 0.5)
    interval = 9 if facility.kind == "border_crossing" else 16
    day, n = start + timedelta(days=rng.randint(0, interval)), 0
    rows = _Rows()
    while day < today:
        stress = surge(facility.country, day)
        visit = _visit(rng, facility, org_id, monitor_id, point, day, n, baseline, stress)
        rows.visits.append(visit)
        rows.children.append(VisitSensitive(visit_id=visit.id, notes="Synthetic demo notes."))
        if rng.random() < 0.08:
            rows.children.append(_attachment(rng.choice(pictures), visit.started_at,
                                             visit_id=visit.id))
        expected = (1.0 + 4.0 * stress) * (0.3 if visit.access == "denied" else 1.0)
        found = [_incident(rows, rng, facility, visit, point, k, stress, pictures, today)
                 for k in range(_poisson(rng, expected))]
        _assess(visit, facility, found)
        n += 1
        day += timedelta(days=max(2, int(rng.gauss(interval / (1 + stress), 3))))
    rows.flush(session)


class _Rows:
    """A facility's demo rows, inserted a generation at a time (visits; what names a visit;
    what names an incident), each a few multi-row INSERTs rather than a round trip per row."""

    def __init__(self) -> None:
        self.visits: list = []
        self.children: list = []  # visit notes, visit photos, incidents
        self.grandchildren: list = []  # incident narratives, incident photos

    def flush(self, session) -> None:
        for generation in (self.visits, self.children, self.grandchildren):
            session.add_all(generation)
            session.flush()


def one_visit(session, facility, organisation_id, monitor_id, *, seed: int, day: date,
              incidents: int = 2, stress: float = 0.6) -> Visit:
    """One visit as the demo makes them (answers, returnee interviews, the monitor's ratings,
    `incidents` incidents, the assessment), waiting for review; for tests and walkthroughs."""
    rng = random.Random(seed)
    point = to_shape(facility.location)
    visit = _visit(rng, facility, organisation_id, monitor_id, point, day, seed,
                   rng.uniform(0.2, 0.8), stress, status=SUBMITTED)
    rows = _Rows()
    rows.visits.append(visit)
    rows.children.append(VisitSensitive(visit_id=visit.id, notes="Synthetic demo notes."))
    found = [_incident(rows, rng, facility, visit, point, k, stress, [], day)
             for k in range(incidents)]
    _assess(visit, facility, found)
    rows.flush(session)
    return visit


def _visit(rng, facility, org_id, monitor_id, point, day, n, baseline, stress,
           status: str | None = None) -> Visit:
    started = datetime.combine(day, time(6 + rng.randint(0, 5), rng.randint(0, 59)),
                               timezone.utc)
    access = _access(rng, facility)
    quality = max(0.0, min(1.0, baseline - 0.35 * stress - 0.1 * summer(day) +
                           rng.gauss(0, 0.08)))
    capacity = facility.capacity or rng.choice((300, 500, 1200))
    crowd = capacity * (0.4 + 1.1 * stress + rng.uniform(0, 0.4))
    held = {"women": int(crowd * 0.2), "men": int(crowd * 0.55), "girls": int(crowd * 0.12),
            "boys": int(crowd * 0.13), "unaccompanied": int(crowd * 0.01 * rng.random())}
    room_area = round(capacity * rng.uniform(2.8, 4.2))
    observations = (_observations(rng, quality, sum(held.values()), facility)
                    if access != "denied" else {})
    jitter = 0.03 if rng.random() < 0.04 else 0.003
    position = Point(point.x + rng.uniform(-jitter, jitter), point.y + rng.uniform(-jitter, jitter))
    visit = Visit(
        id=demo_id("visit", str(facility.id), str(n)), facility_id=facility.id,
        organisation_id=org_id, monitor_id=monitor_id, source="demo", started_at=started,
        ended_at=started + timedelta(minutes=rng.randint(40, 240)),
        submitted_at=started + timedelta(hours=rng.choice((3, 5, 20, 30))),
        position=from_shape(position, srid=4326),
        position_accuracy_m=rng.choice((5, 8, 12, 30, 150)),
        access=access,
        access_denied_reason=rng.choice(DENIED_REASONS) if access != "full" else None,
        room_area_m2=room_area if access != "denied" else None, observations=observations,
        review_status=status or _status(rng, day), demo=True,
        returnees=_returnees(rng, facility, stress) if access != "denied" else [],
        form_id="nezarat_visit", form_version=str(ASSESSMENT_FORM_VERSION),
        **{f"held_{k}": v if access != "denied" else None for k, v in held.items()})
    if access == "partial":
        observations["room_occupants"] = int(sum(held.values()) * rng.uniform(0.3, 0.7))
    visit.scores = score_visit(observations, facility.kind, facility.capacity,
                               visit.headcounts(), visit.room_area_m2, access,
                               country=facility.country)
    visit.dimensions = _ratings(rng, quality, access, facility.kind)  # until _assess
    visit.flags = ([{"code": "poor_accuracy", "reason": "GPS accuracy 150 m is worse than 100 m."}]
                   if visit.position_accuracy_m > 100 else [])
    return visit


def _assess(visit, facility, incidents: list) -> None:
    """The visit's assessment once its incidents are known (a death is a red flag)."""
    assessment = assess_visit(
        visit.scores, access=visit.access, country=facility.country,
        headcounts=visit.headcounts(), observations=visit.observations,
        monitor=visit.dimensions, returnees=visit.returnees or (),
        incidents=[{"type": i.type, "source_type": i.source_type, "profiles": i.profiles,
                    "state_responsible": i.state_responsible} for i in incidents])
    visit.ring, visit.red_flags = assessment["ring"], assessment["red_flags"]
    visit.dimensions = stored_dimensions(assessment)


def _ratings(rng, quality: float, access: str, kind: str) -> dict:
    """The monitor's ratings: what was not seen is "insufficient evidence", never a guess."""
    if access == "denied":
        return {name: {"rating": "insufficient_evidence", "coverage": "none"}
                for name in DIMENSIONS}
    ratings = {}
    for name in DIMENSIONS:
        hidden = access == "partial" and name in ("safety_treatment", "legal_protection")
        if hidden and rng.random() < 0.6:
            ratings[name] = {"rating": "insufficient_evidence", "coverage": "none"}
            continue
        rating = max(1, min(4, round(1 + 3 * quality + rng.gauss(0, 0.4))))
        if access == "partial":
            rating = min(rating, 3)
        evidence = rng.sample(EVIDENCE_KINDS, rng.randint(1, 3))
        if kind == "border_crossing" and name == "return_reception":
            evidence = sorted(set(evidence) | {"interview_private"})
        ratings[name] = {"rating": rating, "coverage": "full" if access == "full" else "partial",
                         "evidence": evidence}
    return ratings


def _returnees(rng, facility, stress: float) -> list:
    """Returnee-interview groups at Afghan-side crossings and reception centres: counts only."""
    if facility.country != "AFG" or facility.kind not in ("border_crossing",
                                                          "reception_centre"):
        return []
    groups = []
    for _ in range(rng.randint(0, 3)):
        state = _deporting_state(facility)
        people = rng.randint(2, 12)

        def yes(p):
            return rng.choices(("yes", "no", "unknown"), (p, 1 - p, 0.1))[0]
        groups.append({
            "state_responsible": state, "people": people,
            "women": rng.randint(0, people // 2), "children": rng.randint(0, people // 2),
            "at_risk": rng.choice((0, 0, 0, 0, 1)),
            "return_kind": rng.choice(("deported", "deported", "pressured_voluntary",
                                       "voluntary")),
            "held_before": rng.choice(("none", "police_station", "holding_centre",
                                       "detention_centre")),
            "days_held": rng.randint(0, 20), "documents_taken": yes(0.2 + 0.3 * stress),
            "fees_charged": yes(0.3 + 0.3 * stress), "family_left_behind": yes(0.2),
            "night_arrival": yes(0.3), "transport_harsh": yes(0.3 + 0.3 * stress),
            "signed_return_form": yes(0.2), "asylum_refused": yes(0.05),
            "force_alleged": yes(0.05 + 0.1 * stress), "interview_private": yes(0.7)})
    return groups


def _access(rng, facility) -> str:
    if facility.country == "IRN" and facility.kind != "border_crossing":
        return rng.choices(("denied", "partial", "full"), (6, 3, 1))[0]
    return rng.choices(("full", "partial", "denied"), (7, 2, 1))[0]


# The observations the current form asks (not those only earlier versions did: use_of_force...).
ASKED = frozenset(f.target.removeprefix("visit.observations.") for f in FIELDS
                  if f.target.startswith("visit.observations.") and not f.earlier)


def _observations(rng, quality: float, people: int, facility) -> dict:
    """Answers as the form asks them at this facility: only the indicators whose standard
    applies to its kind and side of the border, the investigation of deaths only where a death
    is known, the care of pregnant women only where some are held."""
    def answer():
        return rng.choices(("yes", "partly", "no"), (quality, 0.4, 1 - quality))[0]

    values = {}
    for code, indicator in indicators().items():
        if indicator.value_type == "answer":
            values[code] = answer()
        elif indicator.value_type == "frequency":
            values[code] = rng.choices(("daily", "weekly", "less_than_weekly", "never"),
                                       (quality, 0.5, 0.3, 1 - quality))[0]
    for code in ("space_per_person", "covered_space", "occupancy_rate", "water_point_users",
                 "toilet_users", "toilet_female_ratio", "toilet_accessible", "children_detained",
                 "uac_detained", "monitor_access"):
        values.pop(code, None)  # derived from counts by the scorer, or from the visit's access
    values.update({
        "water_quantity": round(4 + 20 * quality + rng.uniform(-2, 2), 1),
        "drinking_water_cells": round(1 + 4 * quality, 1),
        "food_energy": int(1300 + 1100 * quality),
        "soap": int(80 + 250 * quality),
        "sleeping_space": round(1.0 + 1.2 * quality, 1),
        "single_cell_space": round(4.0 + 3 * quality, 1),
        "length_of_stay": round(1 + 8 * (1 - quality), 1),
        "outdoor_exercise": round(2 * quality, 1),
        "solitary_over_15_days": 0 if quality > 0.3 else rng.randint(0, 3),
        "toilets": max(1, int(people / (12 + 70 * (1 - quality)))),
        "water_points": max(1, int(people / (100 + 300 * (1 - quality)))),
    })
    values["toilets_female"] = max(0, int(values["toilets"] * rng.uniform(0.2, 0.6)))
    values["toilets_accessible"] = max(0, int(values["toilets"] * rng.uniform(0, 0.2)))
    values["deaths_known"] = 1 if rng.random() < 0.04 * (1 - quality) else 0
    values["pregnant_or_nursing"] = rng.randint(0, 3)
    values["interviews_held"] = rng.randint(2, 12)
    values["reprisal_risk"] = rng.choices(("yes", "no", "unknown"), (1 - quality, 2, 1))[0]
    table, group = indicators(), facility_group(facility.kind)
    for code in [c for c in values if c in table]:
        if code not in ASKED or not table[code].applies(group, facility.country):
            del values[code]
    if not values.get("deaths_known"):
        values.pop("deaths_reported", None)
    if not values.get("pregnant_or_nursing"):
        values.pop("pregnancy_care", None)
    return values


def _status(rng, day: date) -> str:
    if (date.today() - day).days < 21:
        return rng.choices(("submitted", "has_issues"), (5, 1))[0]
    return rng.choices(("verified", "has_issues", "rejected"), (16, 2, 1))[0]


def _incident(rows, rng, facility, visit, point, k, stress, pictures, today) -> Incident:
    weights = TYPES_BY_KIND.get(facility.kind, TYPES_BY_KIND["reception_centre"])
    kind = rng.choices(list(weights), list(weights.values()))[0]
    occurred = visit.started_at.date() - timedelta(days=rng.choice((0, 0, 0, 1, 2, 5)))
    exact = rng.random() < 0.25
    location = Point(point.x + rng.uniform(-0.05, 0.05), point.y + rng.uniform(-0.05, 0.05)) \
        if exact else point
    affected = {"women": _poisson(rng, 1.5 + 4 * stress), "men": _poisson(rng, 3 + 8 * stress),
                "girls": _poisson(rng, 0.8 + 2 * stress), "boys": _poisson(rng, 1 + 2 * stress)}
    incident = Incident(
        id=demo_id("incident", str(visit.id), str(k)), visit_id=visit.id,
        organisation_id=visit.organisation_id, monitor_id=visit.monitor_id,
        facility_id=facility.id, type=kind, occurred_on=min(occurred, today),
        date_precision=rng.choices(("exact", "approximate", "month"), (7, 2, 1))[0],
        location=from_shape(location, srid=4326),
        location_precision="exact" if exact else "facility", country=facility.country,
        admin1=facility.admin1, **{f"affected_{g}": n for g, n in affected.items()},
        affected_unaccompanied=_poisson(rng, 0.3), profiles=_profiles(rng),
        perpetrator=rng.choice(PERPETRATOR_BY_COUNTRY.get(facility.country, PERPETRATORS)),
        state_responsible=_state(rng, facility, kind),
        source_type=rng.choice(SOURCE_TYPES),
        consent=rng.choices(("internal_only", "share_anonymised", "share_with_consent"),
                            (2, 6, 2))[0],
        severity=min(5, max(1, int(rng.gauss(3 + (kind in ("death", "sgbv", "self_harm")), 1)))),
        follow_up=rng.random() < 0.3,
        verification_status=_status(rng, occurred), demo=True)
    rows.children.append(incident)
    rows.grandchildren.append(IncidentSensitive(incident_id=incident.id, narrative=NARRATIVE.format(
        n=sum(affected.values()), what=kind.replace("_", " "), day=occurred.isoformat())))
    if rng.random() < 0.03 and pictures:
        rows.grandchildren.append(_attachment(rng.choice(pictures), visit.started_at,
                                              incident_id=incident.id))
    return incident


def _state(rng, facility, kind: str) -> str:
    """Iran or Pakistan for what happened on their side; at an Afghan crossing, returns and
    what came before them are the deporting state's, harm after return the de facto
    authorities'."""
    if facility.country in ("IRN", "PAK"):
        return default_state(facility.country)
    if kind in ("harm_after_return", "denial_of_basic_needs", "trafficking"):
        return rng.choice(("de_facto_authorities", "unknown", "other"))
    return _deporting_state(facility)


def _deporting_state(facility) -> str:
    return "iran" if facility.admin1 in IRAN_BORDER_PROVINCES else "pakistan"


def _profiles(rng) -> dict:
    if rng.random() > 0.3:
        return {}
    return {rng.choice(("former_government_security", "human_rights_defender", "journalist",
                        "single_woman", "elderly", "medical_case")): rng.randint(1, 3)}


def _poisson(rng, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _stored_picture(rng, i: int):
    """A generated picture (sky, ground, tents, fence) through the real photo pipeline."""
    image = Image.new("RGB", (960, 640), (150 + rng.randint(0, 60), 180, 210))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 380, 960, 640), fill=(170 + rng.randint(-20, 20), 150, 110))
    for _ in range(rng.randint(3, 9)):
        x, w = rng.randint(0, 880), rng.randint(60, 160)
        draw.polygon([(x, 420), (x + w // 2, 330), (x + w, 420)], fill=(230, 230, 220))
    for x in range(0, 960, 24):
        draw.line((x, 360, x, 470), fill=(90, 90, 90), width=2)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    prepared = photos.prepare(out.getvalue(), f"demo-{i}.jpg", 40_000_000)
    return photos.save(prepared), f"demo-{i}.jpg"


def _attachment(picture, taken: datetime, *, visit_id=None, incident_id=None) -> Attachment:
    """A picture of the pool, said to be taken during the visit (Kabul time), as a phone would."""
    stored, name = picture
    kabul = timezone(timedelta(hours=4, minutes=30))
    captured = (taken + timedelta(minutes=20)).astimezone(kabul).replace(tzinfo=None)
    columns = {**attachments.received_columns(stored, datetime.now(timezone.utc)),
               "captured_at": captured.isoformat(timespec="seconds") + "+04:30"}
    return Attachment(id=uuid.uuid4(), visit_id=visit_id, incident_id=incident_id,
                      filename=name, demo=True, **columns)


def clear(progress) -> None:
    session = db.session
    for table in progress(["attachments", "incidents", "visits"], "visits and incidents"):
        if table == "visits":
            session.execute(text("DELETE FROM review_events WHERE target_id IN "
                                 "(SELECT id FROM visits WHERE demo)"))
        session.execute(text(f"DELETE FROM {table} WHERE demo"))
    session.commit()
