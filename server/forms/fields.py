"""The ONE table from the visit form's fields to the domain. The OpenRosa adapter reads a
submission with it and nothing else; change a field in mobile_forms/nezarat_visit.csv and this
table together (tests/unit/forms checks every path against the built XForm).

Each row: `path` — absolute path of the element in a submission of form `nezarat_visit`;
`target` — where the value goes:
  visit.<attr>                    a visit attribute (facility_id, started_at, held_women, ...)
  visit.observations.<code>       one entry of the visit's observations {code: value}; the codes
                                  are the indicator codes of server/scoring/standards.csv plus the
                                  scoring inputs of server.scoring.standards.INPUTS
  visit.photos[]                  one file name appended to the visit's photos (repeat `photos`)
  incident.<attr>                 an attribute of the incident of the enclosing repeat `incident`
  incident.profiles.<code>        one entry of that incident's profiles {profile_code: count}
  incident.photos[]               one file name appended to that incident's photos
  meta.instance_id / meta.deprecated_id   the submission's identity (OpenRosa meta block)
`kind` — how to read the element's text (see `convert`); `sensitive` — free text or files that
may identify a person: store apart, gate, audit every read.
An empty or absent element means "not answered": leave the target unset (None).
"""
from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from ..incidents.taxonomy import PROFILES

FORM_ID = "nezarat_visit"
# The first version of the form with the assessment model (dimensions, "don't know" on head
# counts, returnee interviews); earlier versions are read with the same table, and their
# reports are assessed as the earlier form's (server.assessment).
ASSESSMENT_FORM_VERSION = 2025120101
# Earlier versions whose submissions both doors still receive (phones not yet updated).
EARLIER_VERSIONS = ("2025112801", "2025120101", "2025120501", "2025120601")
ROOT = f"/{FORM_ID}"
# Repeat groups: every instance of INCIDENT_REPEAT is one incident; every instance of
# PHOTO_REPEAT holds one visit photo.
INCIDENT_REPEAT = f"{ROOT}/incident"
PHOTO_REPEAT = f"{ROOT}/photos"
RETURNEE_REPEAT = f"{ROOT}/returnees"  # one group interviewed on arrival (counts only)
REPEATS = (INCIDENT_REPEAT, PHOTO_REPEAT, RETURNEE_REPEAT)


@dataclass(frozen=True)
class Field:
    path: str
    target: str
    kind: str
    sensitive: bool = False
    earlier: bool = False  # only in earlier versions of the form (EARLIER_VERSIONS; still received)

    @property
    def repeat(self) -> str | None:
        for repeat in REPEATS:
            if self.path.startswith(repeat + "/"):
                return repeat
        return None


def _observations(area: str, kinds: dict[str, str], earlier: bool = False) -> list[Field]:
    return [Field(f"{ROOT}/{area}/{code}", f"visit.observations.{code}", kind, earlier=earlier)
            for code, kind in kinds.items()]


def _assessment(dimension: str) -> list[Field]:
    at = f"{ROOT}/assessment/{dimension}"
    return [Field(f"{at}_rating", f"visit.assessment.{dimension}.rating", "rating"),
            Field(f"{at}_coverage", f"visit.assessment.{dimension}.coverage", "choice"),
            Field(f"{at}_evidence", f"visit.assessment.{dimension}.evidence", "multi")]


_RETURNEE = {"consent_interview": "choice", "state_responsible": "choice", "people": "int",
             "women": "int", "children": "int", "at_risk": "int", "return_kind": "choice",
             "held_before": "choice", "days_held": "int", "documents_taken": "choice",
             "fees_charged": "choice", "wages_or_property_left": "choice",
             "family_left_behind": "choice", "night_arrival": "choice",
             "transport_harsh": "choice", "signed_return_form": "choice",
             "asylum_refused": "choice", "force_alleged": "choice",
             "interview_private": "choice", "reprisal_risk": "choice"}


_I = INCIDENT_REPEAT
FIELDS: tuple[Field, ...] = (
    Field(f"{ROOT}/meta/instanceID", "meta.instance_id", "text"),  # "uuid:<uuid>" from Collect
    Field(f"{ROOT}/meta/deprecatedID", "meta.deprecated_id", "text"),
    Field(f"{ROOT}/facility", "visit.facility_id", "uuid"),
    Field(f"{ROOT}/started_at", "visit.started_at", "datetime"),
    Field(f"{ROOT}/ended_at", "visit.ended_at", "datetime"),
    Field(f"{ROOT}/position", "visit.position", "geopoint"),
    Field(f"{ROOT}/position", "visit.position_accuracy_m", "geopoint_accuracy"),
    Field(f"{ROOT}/access/obtained", "visit.access", "choice"),
    Field(f"{ROOT}/access/denied_reason", "visit.access_denied_reason", "text"),
    Field(f"{ROOT}/people/women", "visit.held_women", "int"),
    Field(f"{ROOT}/people/men", "visit.held_men", "int"),
    Field(f"{ROOT}/people/girls", "visit.held_girls", "int"),
    Field(f"{ROOT}/people/boys", "visit.held_boys", "int"),
    Field(f"{ROOT}/people/unaccompanied", "visit.held_unaccompanied", "int"),
    Field(f"{ROOT}/space/room_area", "visit.room_area_m2", "decimal"),
    *_observations("method", {"interviews_held": "int", "interviews_private": "choice",
                              "female_monitor": "choice", "interpreter": "choice",
                              "registers_seen": "choice", "reprisal_risk": "choice"}),
    *_observations("space", {"single_cell_space": "decimal", "sleeping_space": "decimal",
                             "length_of_stay": "decimal", "room_occupants": "int"}),
    *_observations("water", {"water_quantity": "decimal", "daytime_only": "choice",
                             "drinking_water_cells": "decimal", "water_points": "int"}),
    *_observations("sanitation", {"toilets": "int", "toilets_female": "int",
                                  "toilets_accessible": "int", "toilet_safety": "choice",
                                  "soap": "decimal", "bathing": "choice"}),
    *_observations("food", {"food_energy": "decimal", "meals_regular": "choice"}),
    *_observations("accommodation", {"light_air": "choice"}),
    *_observations("health", {"medical_screening": "choice", "medical_access": "choice"}),
    *_observations("protection", {"separation_sex": "choice", "separation_children": "choice",
                                  "female_staff": "choice", "vulnerable_referred": "choice",
                                  "menstrual_supplies": "choice", "pregnant_or_nursing": "int",
                                  "pregnancy_care": "choice", "age_assessment": "choice",
                                  "guardianship": "choice", "family_unity": "choice",
                                  "uac_handover": "choice"}),
    *_observations("legal", {"registration": "choice", "length_of_detention": "decimal",
                             "reasons_and_rights": "choice",
                             "interpreter_available": "choice", "lawyer_access": "choice",
                             "asylum_access": "choice", "unhcr_contact": "choice",
                             "consular_access": "choice", "individual_assessment": "choice"}),
    *_observations("legal", {"unhcr_access": "choice", "judicial_review": "choice",
                             "rights_information": "choice"}, earlier=True),
    *_observations("treatment", {"physical_force": "choice", "restraints_used": "choice",
                                 "weapons_or_dogs": "choice", "body_searches": "choice",
                                 "discipline_register": "choice",
                                 "solitary_over_15_days": "int", "solitary_children": "int",
                                 "deaths_known": "int", "deaths_reported": "choice"}),
    *_observations("treatment", {"use_of_force": "choice", "force_seen_or_alleged": "choice"},
                   earlier=True),
    *_observations("contact", {"family_contact_allowed": "choice", "family_notified": "choice",
                               "outdoor_exercise": "decimal"}),
    *_observations("contact", {"family_contact": "choice"}, earlier=True),
    *_observations("oversight", {"complaints": "choice"}),
    *_observations("reception", {"cash_assistance": "choice", "onward_transport": "choice",
                                 "arrival_health_screening": "choice",
                                 "women_travel_onward": "choice", "family_tracing": "choice"}),
    *_assessment("safety_treatment"), *_assessment("legal_protection"),
    *_assessment("material_conditions"), *_assessment("return_reception"),
    *(Field(f"{RETURNEE_REPEAT}/{name}", f"returnee.{name}", kind)
      for name, kind in _RETURNEE.items()),
    Field(f"{ROOT}/notes", "visit.notes", "text", sensitive=True),
    Field(f"{PHOTO_REPEAT}/photo", "visit.photos[]", "file", sensitive=True),
    Field(f"{_I}/type", "incident.type", "choice"),
    Field(f"{_I}/occurred_on", "incident.occurred_on", "date"),
    Field(f"{_I}/date_precision", "incident.date_precision", "choice"),
    Field(f"{_I}/location_precision", "incident.location_precision", "choice"),
    Field(f"{_I}/position", "incident.position", "geopoint"),
    Field(f"{_I}/affected/women", "incident.affected_women", "int"),
    Field(f"{_I}/affected/men", "incident.affected_men", "int"),
    Field(f"{_I}/affected/girls", "incident.affected_girls", "int"),
    Field(f"{_I}/affected/boys", "incident.affected_boys", "int"),
    Field(f"{_I}/affected/unaccompanied", "incident.affected_unaccompanied", "int"),
    *(Field(f"{_I}/profiles/{code}", f"incident.profiles.{code}", "int") for code in PROFILES),
    Field(f"{_I}/perpetrator", "incident.perpetrator", "choice"),
    Field(f"{_I}/state_responsible", "incident.state_responsible", "choice"),
    Field(f"{_I}/source_type", "incident.source_type", "choice"),
    Field(f"{_I}/consent", "incident.consent", "choice"),
    Field(f"{_I}/severity", "incident.severity", "int_choice"),
    Field(f"{_I}/follow_up", "incident.follow_up", "yes_no"),
    Field(f"{_I}/narrative", "incident.narrative", "text", sensitive=True),
    Field(f"{_I}/photo", "incident.photos[]", "file", sensitive=True),
)
# Form elements deliberately left out: safety_note (a note), facility_kind and
# facility_country (calculated from facilities.csv; the server knows the facility),
# incident/profiles_present (a UI helper that only decides which profile counts are asked), the
# group elements themselves.


# Where a target lands in the JSON body of POST /api/submissions (visits.schemas.ReportSchema),
# the shape both doors validate: visit.held_women -> held.women, incident.affected_men ->
# affected.men, visit.observations.x -> observations.x, visit.photos[] -> photos (appended).
NESTED = {"visit": ("held_", "held."), "incident": ("affected_", "affected.")}
META = {"instance_id": "id", "deprecated_id": "deprecated_id"}


def body_key(target: str) -> tuple[str, str]:
    """("visit" | "incident" | "returnee", key in that object; "a.b" nests, "x[]" appends)."""
    scope, _, attr = target.partition(".")
    if scope == "meta":
        return "visit", META[attr]
    prefix, nested = NESTED.get(scope, (None, ""))
    if prefix and attr.startswith(prefix):
        return scope, nested + attr[len(prefix):]
    return scope, attr


def place(body: dict, key: str, value) -> None:
    """Put one value at its body key."""
    if key.endswith("[]"):
        body.setdefault(key[:-2], []).append(value)
        return
    *parents, last = key.split(".")
    for parent in parents:
        body = body.setdefault(parent, {})
    body[last] = value


def convert(kind: str, text: str | None):
    """The text of a submission element as a Python value; None when empty. Raises ValueError
    (with a message fit for the submitter) when the text does not fit the kind."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        return _CONVERTERS[kind](text)
    except (ValueError, IndexError) as exc:
        raise ValueError(f"{text!r} is not a valid {kind}") from exc


def _int(text: str) -> int:
    return int(text)  # "3.5" raises: counts are whole numbers


def _decimal(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


def _geopoint(text: str) -> tuple[float, float]:
    """ODK geopoint "lat lon [altitude [accuracy]]" -> (lon, lat), the domain's order."""
    parts = text.split()
    lat, lon = float(parts[0]), float(parts[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("coordinates out of range")
    return lon, lat


def _accuracy(text: str) -> float | None:
    parts = text.split()
    return float(parts[3]) if len(parts) > 3 else None


def _rating(text: str) -> int | str:
    """A dimension's rating: 1-4, or insufficient_evidence."""
    if text == "insufficient_evidence":
        return text
    if text not in ("1", "2", "3", "4"):
        raise ValueError("expected 1-4 or insufficient_evidence")
    return int(text)


def _yes_no(text: str) -> bool:
    if text not in ("yes", "no"):
        raise ValueError("expected yes or no")
    return text == "yes"


_CONVERTERS = {
    "text": str, "choice": str, "file": str,
    "uuid": lambda text: uuid.UUID(text),
    "datetime": lambda text: _aware(datetime.fromisoformat(text)),
    "date": date.fromisoformat,
    "int": _int,
    "int_choice": _int,  # a select whose choice names are whole numbers (severity 1-5)
    "decimal": _decimal,
    "geopoint": _geopoint,
    "geopoint_accuracy": _accuracy,
    "yes_no": _yes_no,
    "rating": _rating,
    "multi": str.split,  # select_multiple: space-separated choice names
}


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time needs its UTC offset")
    return value

