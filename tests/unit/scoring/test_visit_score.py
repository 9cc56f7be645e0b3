"""Area results (no overall grade), derived values and refusals of score_visit."""
import json

import pytest

from server.scoring import score_visit
from server.scoring.standards import AREAS

from .helpers import people, score

# Seven areas each observed through one yes / partly / no answer at a detention centre.
ONE_PER_AREA = ("toilet_safety", "meals_regular", "light_air", "medical_access",
                "vulnerable_referred", "family_contact", "complaints")
ANSWER = {"met": "yes", "partly_met": "partly", "not_met": "no"}


def graded(*results: str) -> dict:
    observations = {code: ANSWER[r] for code, r in zip(ONE_PER_AREA, results)}
    return score(observations)


class TestAreaResult:
    def test_all_met_mixed_and_all_not_met(self):
        def area(*answers):
            codes = ("separation_sex", "separation_children", "vulnerable_referred")
            return score(dict(zip(codes, answers)))["areas"]["protection"]["result"]
        assert area("yes", "yes", "yes") == "met"
        assert area("yes", "no", "yes") == "partly_met"
        assert area("yes", "partly") == "partly_met"
        assert area("no", "no") == "not_met"

    def test_an_area_with_nothing_observed(self):
        scores = score({"separation_sex": "unknown"})
        assert scores["areas"]["protection"]["result"] == "not_observed"
        assert "separation_sex" in scores["areas"]["protection"]["unobserved"]

    def test_every_area_is_reported(self):
        assert list(score()["areas"]) == list(AREAS)


class TestNoGrade:
    def test_no_overall_grade_or_score(self):
        scores = graded("met", "met", "met", "met")
        assert "grade" not in scores and "score" not in scores

    def test_a_denied_visit_records_the_denial(self):
        scores = score(access="denied")
        assert scores["areas"]["oversight"]["result"] == "not_met"

    def test_a_critical_failure_fails_its_area(self):
        observations = {code: "yes" for code in ONE_PER_AREA} | {"use_of_force": "no",
                                                                  "deaths_reported": "yes"}
        assert score(observations)["areas"]["treatment"]["result"] == "not_met"


class TestDerived:
    def test_derived_values(self):
        held = {"women": 20, "men": 50, "girls": 6, "boys": 4, "unaccompanied": 3}
        scores = score({"toilets": 4, "toilets_female": 1, "toilets_accessible": 1,
                        "water_points": 2}, capacity=50, headcounts=held, room_area=200)
        assert scores["derived"] == {
            "people_held": 80, "m2_per_person": 2.5, "occupancy_pct": 160.0,
            "children_detained": 10, "uac_detained": 3, "people_per_toilet": 20.0,
            "people_per_water_point": 40.0, "female_to_male_toilets": 1 / 3,
            "accessible_toilets_pct": 25.0}

    def test_unknown_inputs_derive_nothing(self):
        held = {"women": None, "men": 10, "girls": 0, "boys": 0}
        derived = score(headcounts=held, capacity=10, room_area=40)["derived"]
        assert derived["people_held"] is None
        assert derived["m2_per_person"] is None and derived["occupancy_pct"] is None
        assert derived["children_detained"] == 0

    def test_held_prefix_of_the_domain_is_accepted(self):
        held = {"held_women": 1, "held_men": 1, "held_girls": 0, "held_boys": 0}
        assert score(headcounts=held)["derived"]["people_held"] == 2

    def test_result_is_strict_json_even_with_no_toilet(self):
        scores = score({"toilets": 0}, headcounts=people(10))
        assert scores["derived"]["people_per_toilet"] is None
        assert json.loads(json.dumps(scores, allow_nan=False)) == scores

    def test_observations_are_not_modified(self):
        observations = {"water_quantity": 20}
        score_visit(observations, "detention_centre", None, {}, None, "full")
        assert observations == {"water_quantity": 20}

    def test_numbers_given_as_text_are_read(self):
        assert score({"water_quantity": "15"})["areas"]["water"]["result"] == "met"


class TestRefusals:
    @pytest.mark.parametrize("observations, message", [
        ({"water_quantity": -1}, "water_quantity: -1 must be 0 or more"),
        ({"water_quantity": "lots"}, "water_quantity: 'lots' is not a number"),
        ({"water_quantity": True}, "is not a number"),
        ({"toilet_safety": "maybe"}, "toilet_safety: 'maybe' is not one of"),
        ({"bathing": "yes"}, "bathing: 'yes' is not one of"),
        ({"toilets": 2, "toilets_female": 3}, "toilets_female: 3 is more than the 2"),
        ({"toilets": 1.5}, "toilets: 1.5 is not a whole number"),
    ])
    def test_unreadable_observations_are_named(self, observations, message):
        with pytest.raises(ValueError, match=message):
            score(observations)

    def test_bad_headcounts_are_refused(self):
        with pytest.raises(ValueError, match="unknown headcount 'adults'"):
            score(headcounts={"adults": 3})
        with pytest.raises(ValueError, match="men: -2 must be 0 or more"):
            score(headcounts={"men": -2})

    def test_unknown_kind_is_refused(self):
        with pytest.raises(ValueError, match="unknown facility kind"):
            score(kind="hotel")
