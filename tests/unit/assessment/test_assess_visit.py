"""The assessment model against the counter-examples of issue 15: partial access, solitary with
children and no asylum, an Afghan-side crossing, "don't know" head counts, the earlier form."""
import pytest

from server.assessment import DIMENSIONS, assess_visit, ring_of
from server.scoring import score_visit

LIVING_AREAS = {  # everything a monitor can see in the living areas of a detention centre
    "sleeping_space": 2.0, "single_cell_space": 6.0, "water_quantity": 20,
    "drinking_water_cells": 4, "toilets": 20, "toilet_safety": "yes", "soap": 300,
    "bathing": "daily", "food_energy": 2300, "meals_regular": "yes", "light_air": "yes",
    "medical_access": "yes", "outdoor_exercise": 2}
PEOPLE = {"women": 10, "men": 60, "girls": 0, "boys": 0, "unaccompanied": 0}


def assess(observations, kind="detention_centre", country="IRN", access="full", held=None,
           room_area=None, **kwargs):
    held = PEOPLE if held is None else held
    scores = score_visit(observations, kind, 100, held, room_area, access, country=country,
                         earlier_form=kwargs.get("earlier_form", False))
    return assess_visit(scores, access=access, country=country, headcounts=held,
                        observations=observations, **kwargs)


def codes(assessment, state=None):
    return {f["code"] for f in assessment["red_flags"] if state in (None, f["state"])}


class TestPartialAccessSeenInLivingAreasOnly:
    def test_it_does_not_look_good(self):
        result = assess(LIVING_AREAS, access="partial")
        dims = result["dimensions"]
        assert dims["material_conditions"]["rating"] == 3  # capped: partial access
        assert dims["material_conditions"]["coverage"] == "partial"
        assert dims["safety_treatment"]["insufficient_evidence"] is True
        assert dims["legal_protection"]["insufficient_evidence"] is True
        assert dims["return_reception"]["rating"] is None
        assert result["ring"] == "insufficient"
        assert "grade" not in result and "score" not in result

    def test_room_area_is_not_divided_by_everyone_held(self):
        scores = score_visit({}, "detention_centre", 100, PEOPLE, 60, "partial")
        assert scores["derived"]["m2_per_person"] is None  # 60 m² seen, 70 held: not 0.86
        scores = score_visit({"room_occupants": 15}, "detention_centre", 100, PEOPLE, 60,
                             "partial")
        assert scores["derived"]["m2_per_person"] == 4.0


class TestSolitaryChildrenAndNoAsylum:
    def test_red_flags_and_low_ratings(self):
        observations = {**LIVING_AREAS, "solitary_over_15_days": 3, "asylum_access": "no",
                        "lawyer_access": "no", "rights_information": "no",
                        "registration": "yes"}
        held = {"women": 10, "men": 60, "girls": 4, "boys": 6, "unaccompanied": 0}
        result = assess(observations, held=held)
        assert codes(result, "iran") == {"solitary_over_15_days", "children_detained",
                                         "asylum_denied"}
        dims = result["dimensions"]
        assert dims["safety_treatment"]["rating"] == 1  # the red flag is evidence enough
        assert dims["legal_protection"]["rating"] == 1
        assert result["ring"] == "red_flag"
        solitary = next(f for f in result["red_flags"] if f["code"] == "solitary_over_15_days")
        assert solitary["count"] == 3 and solitary["dimension"] == "safety_treatment"

    def test_a_monitor_rating_is_kept_but_red_flags_still_show_first(self):
        monitor = {name: {"rating": 4, "coverage": "full", "evidence": ["observed"]}
                   for name in DIMENSIONS}
        result = assess({"solitary_over_15_days": 1}, monitor=monitor)
        assert result["dimensions"]["safety_treatment"]["rating"] == 4
        assert result["dimensions"]["safety_treatment"]["source"] == "monitor"
        assert result["ring"] == "red_flag"


class TestAfghanSideCrossing:
    def test_never_rated_on_the_deporting_states_procedures(self):
        observations = {"rights_information": "no", "unhcr_access": "no",
                        "individual_assessment": "no", "asylum_access": "no",
                        "toilet_safety": "yes", "water_quantity": 20}
        scores = score_visit(observations, "border_crossing", None, PEOPLE, None, "full",
                             country="AFG")
        assert scores["areas"]["legal"]["indicators"] == {}
        result = assess(observations, kind="border_crossing", country="AFG", earlier_form=True)
        assert result["state"] == "de_facto_authorities"
        assert "asylum_denied" not in codes(result)
        assert result["dimensions"]["legal_protection"]["rating"] is None

    def test_the_same_answers_at_an_iranian_crossing_are_irans(self):
        result = assess({"asylum_access": "no"}, kind="border_crossing", country="IRN")
        assert codes(result, "iran") == {"asylum_denied"}

    def test_returnees_report_what_iran_did_attributed_to_iran(self):
        groups = [{"state_responsible": "iran", "at_risk": 2, "asylum_refused": "yes"}]
        result = assess({}, kind="border_crossing", country="AFG", returnees=groups)
        assert codes(result, "iran") == {"at_risk_returned", "asylum_denied"}
        assert codes(result, "de_facto_authorities") == set()
        assert result["dimensions"]["legal_protection"]["rating"] is None  # not the crossing's


class TestDontKnowHeadCounts:
    @pytest.mark.parametrize("girls, boys", [(None, None), (None, 0), (0, None)])
    def test_dont_know_never_satisfies_child_detention(self, girls, boys):
        held = {"women": 5, "men": 20, "girls": girls, "boys": boys, "unaccompanied": None}
        scores = score_visit({}, "detention_centre", 100, held, None, "full")
        protection = scores["areas"]["protection"]
        assert "children_detained" not in protection["indicators"]
        assert {"children_detained", "uac_detained"} <= set(protection["unobserved"])

    def test_a_known_part_above_zero_is_enough_to_fail(self):
        held = {"women": 5, "men": 20, "girls": 3, "boys": None, "unaccompanied": None}
        scores = score_visit({}, "detention_centre", 100, held, None, "full")
        assert scores["areas"]["protection"]["indicators"]["children_detained"]["result"] \
            == "not_met"

    def test_zero_from_the_earlier_form_is_not_evidence_of_no_children(self):
        scores = score_visit({}, "detention_centre", 100, PEOPLE, None, "full",
                             earlier_form=True)
        assert "children_detained" not in scores["areas"]["protection"]["indicators"]


class TestEarlierFormAndRatings:
    def test_derived_ratings_are_marked(self):
        result = assess({**LIVING_AREAS, "use_of_force": "yes", "separation_sex": "yes"},
                        earlier_form=True)
        assert result["derived_from_earlier_form"] is True
        assert {d["source"] for d in result["dimensions"].values()} == \
            {"derived_from_earlier_form"}

    def test_a_known_death_does_not_drop_out_when_its_investigation_is_unknown(self):
        result = assess({"deaths_known": 1, "deaths_reported": "unknown"})
        assert "death" in codes(result, "iran")

    def test_denied_access_is_insufficient_everywhere(self):
        result = assess({}, access="denied", held={})
        assert all(d["rating"] is None and d["coverage"] == "none"
                   for d in result["dimensions"].values())
        assert result["ring"] == "none"

    @pytest.mark.parametrize("answer", [{"rating": 5, "evidence": ["observed"]},
                                        {"rating": 3, "evidence": []},
                                        {"rating": 3, "evidence": ["rumour"]}])
    def test_bad_monitor_ratings_are_refused(self, answer):
        with pytest.raises(ValueError):
            assess({}, monitor={"safety_treatment": answer})


def test_ring_red_flags_first_then_the_worst_dimension():
    dims = {n: {"rating": 4} for n in DIMENSIONS}
    assert ring_of(dims, []) == "4"
    assert ring_of({**dims, "material_conditions": {"rating": 2}}, []) == "2"
    assert ring_of({**dims, "legal_protection": {"rating": None}}, []) == "insufficient"
    assert ring_of({**dims, "legal_protection": {"rating": None},
                    "material_conditions": {"rating": 1}}, []) == "1"
    assert ring_of(dims, [{"code": "death"}]) == "red_flag"


class TestReceptionOnTheAfghanSide:
    def test_it_informs_the_return_and_reception_dimension_of_the_crossing(self):
        observations = {"cash_assistance": "no", "onward_transport": "no",
                        "arrival_health_screening": "partly", "family_tracing": "no"}
        result = assess(observations, kind="border_crossing", country="AFG")
        dimension = result["dimensions"]["return_reception"]
        assert {e["code"] for e in dimension["indicators"]} == set(observations)
        assert dimension["state"] == "de_facto_authorities" and dimension["rating"] == 1

    def test_it_is_not_rated_at_an_iranian_crossing(self):
        result = assess({"cash_assistance": "no"}, kind="border_crossing", country="IRN")
        assert result["dimensions"]["return_reception"]["indicators"] == []


def test_the_earlier_forms_deaths_question_means_a_death_only_where_it_was_asked():
    """The earlier form asked "are deaths reported and investigated?" (leave blank if no death
    is known) only at holding and detention centres: an answer at a crossing shows no death."""
    crossing = assess({"deaths_reported": "yes"}, kind="border_crossing", country="AFG",
                      earlier_form=True)
    assert "death" not in codes(crossing)
    centre = assess({"deaths_reported": "yes"}, kind="holding_centre", country="PAK",
                    earlier_form=True)
    assert "death" in codes(centre, "pakistan")


@pytest.mark.parametrize("kind", ["death", "suicide"])
def test_a_death_reported_as_an_incident_is_a_red_flag_whatever_its_cause(kind):
    """A death by suicide is recorded as `suicide`, not also as `death` (README): it is still a
    death in custody, and a red flag."""
    incident = {"type": kind, "state_responsible": "iran", "source_type": "second_hand_report"}
    result = assess({}, incidents=[incident])
    assert "death" in codes(result, "iran")
    assert "death" not in codes(assess({}, incidents=[{**incident, "type": "self_harm"}]))
