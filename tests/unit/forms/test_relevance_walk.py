"""Walk the built visit form at each facility kind (and side of the border) with a small
evaluator of its relevance expressions: what is asked must make sense there."""
import re

import pytest

from server.facilities.models import KINDS
from server.scoring.standards import facility_group, indicators

from .xform import binds, described

ANSWERS = {"obtained": "full", "location_precision": "facility", "room_area": 40, "water_quantity": 10, "toilets": 4,
           "deaths_known": 1, "consent_interview": "yes", "held_before": "holding_centre",
           "interviews_held": 3, "profiles_present": "", "daytime_only": "no",
           **{f"{d}_rating": "3" for d in ("safety_treatment", "legal_protection",
                                           "material_conditions", "return_reception")}}


def _python(expression: str, values: dict) -> str:
    """An XForm relevance (as the built form binds it) as a Python expression."""
    def value(path: str):
        return values.get(path.rsplit("/", 1)[-1], "")
    path = r"\s*((?:/nezarat_visit|\.\.)/[\w/.]+)\s*"  # absolute, or relative in a repeat
    text = re.sub(rf"selected\('([^']*)',{path}\)",
                  lambda m: repr(value(m.group(2)) in m.group(1).split()), expression)
    text = re.sub(rf"selected\({path},\s*'([^']*)'\)",  # a select_multiple's answer
                  lambda m: repr(m.group(2) in str(value(m.group(1))).split()), text)
    text = re.sub(path, lambda m: " " + repr(value(m.group(1))) + " ", text)
    return re.sub(r"(?<![!<>=])=(?!=)", "==", text).strip()


def holds(expression: str | None, values: dict) -> bool:
    if not expression:
        return True
    text = _python(expression, values)
    if re.search(r"'[^']*'\s*>\s*\d", text):  # an empty answer compared with a number
        return False
    return bool(eval(text, {"__builtins__": {}}))


def asked(kind: str, country: str, **answers) -> set[str]:
    """Names of the questions shown, their groups' and their own relevance holding."""
    values = {**ANSWERS, "facility_kind": kind, "facility_country": country, **answers}
    relevance = {path: bind.get("relevant") for path, bind in binds().items()}
    found = set()

    def walk(element, prefix, visible):
        for child in element.get("children", []):
            path = f"{prefix}/{child['name']}"
            shown = visible and holds(relevance.get(path), values)
            if child.get("type") in ("group", "repeat"):
                walk(child, path, shown)
            elif shown:
                found.add(child["name"])
    walk(described(), "/nezarat_visit", True)
    return found


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("country", ["IRN", "PAK", "AFG"])
def test_every_indicator_asked_applies_to_the_kind_and_the_side(kind, country):
    questions = asked(kind, country)
    group = facility_group(kind)
    for code, indicator in indicators().items():
        if code in questions:
            assert indicator.applies(group, country), (kind, country, code)


def test_an_afghan_side_crossing_is_not_asked_the_deporting_states_procedures():
    afghan, iranian = asked("border_crossing", "AFG"), asked("border_crossing", "IRN")
    deporting = {"reasons_and_rights", "asylum_access", "unhcr_contact",
                 "individual_assessment"}
    assert not deporting & afghan
    assert deporting <= iranian
    assert {"consent_interview", "state_responsible", "documents_taken",
            "signed_return_form"} <= afghan  # the returnee interviews carry them instead


def test_detention_asks_treatment_and_duration_not_returnee_interviews():
    questions = asked("detention_centre", "IRN")
    assert {"solitary_over_15_days", "solitary_children", "length_of_detention",
            "lawyer_access", "physical_force", "deaths_known", "deaths_reported",
            "room_occupants"} <= questions
    assert "consent_interview" not in questions and "documents_taken" not in questions


def test_per_person_measures_only_where_people_stay_overnight():
    for kind in ("border_crossing", "reception_centre", "holding_centre"):
        assert {"soap", "food_energy"} <= asked(kind, "PAK", daytime_only="no")
        assert not {"soap", "food_energy"} & asked(kind, "PAK", daytime_only="yes")


def test_denied_access_asks_no_conditions_and_no_ratings():
    questions = asked("detention_centre", "IRN", obtained="denied")
    assert not set(indicators()) & questions
    assert not {q for q in questions if q.endswith("_rating")}
    assert {"denied_reason", "facility"} <= questions


def test_what_follows_an_answer_waits_for_it():
    assert "room_occupants" not in asked("detention_centre", "IRN", room_area="")
    assert "deaths_reported" not in asked("detention_centre", "IRN", deaths_known=0)
    assert "safety_treatment_evidence" not in asked(
        "detention_centre", "IRN", safety_treatment_rating="insufficient_evidence")
    refused = asked("border_crossing", "AFG", consent_interview="no")
    assert "consent_interview" in refused and "documents_taken" not in refused


# The coverage list of the method (README, "The monitoring method"): what a visit must ask.
HELD = {"body_searches", "restraints_used", "weapons_or_dogs", "discipline_register",
        "menstrual_supplies", "pregnant_or_nursing", "age_assessment", "guardianship",
        "family_unity", "uac_handover", "length_of_detention", "solitary_over_15_days"}
ARRIVAL = {"cash_assistance", "onward_transport", "arrival_health_screening",
           "women_travel_onward", "family_tracing", "vulnerable_referred", "female_staff",
           "uac_handover"}


@pytest.mark.parametrize("kind", ["holding_centre", "detention_centre"])
@pytest.mark.parametrize("country", ["IRN", "PAK"])
def test_treatment_women_and_children_are_asked_where_people_are_held(kind, country):
    questions = asked(kind, country, pregnant_or_nursing=2)
    assert HELD | {"pregnancy_care"} <= questions
    assert "pregnancy_care" not in asked(kind, country, pregnant_or_nursing=0)
    assert not (ARRIVAL - HELD - {"vulnerable_referred", "female_staff"}) & questions


@pytest.mark.parametrize("kind", ["border_crossing", "reception_centre", "transit_centre",
                                  "camp"])
def test_reception_on_the_afghan_side_is_asked_on_arrival_only(kind):
    assert ARRIVAL <= asked(kind, "AFG")
    assert not {"cash_assistance", "onward_transport", "women_travel_onward",
                "family_tracing"} & asked(kind, "IRN")


def test_double_questions_are_asked_apart():
    questions = asked("detention_centre", "IRN")
    assert {"physical_force", "restraints_used", "weapons_or_dogs"} <= questions
    assert {"reasons_and_rights", "interpreter_available"} <= questions
    assert {"family_contact_allowed", "family_notified"} <= questions
    assert {"asylum_access", "unhcr_contact"} <= questions


def test_an_interview_carries_a_reprisal_risk_note():
    assert "reprisal_risk" in asked("detention_centre", "IRN", interviews_held=3)
    assert "reprisal_risk" not in asked("detention_centre", "IRN", interviews_held=0)
    assert "reprisal_risk" in asked("border_crossing", "AFG")  # the returnee interviews
