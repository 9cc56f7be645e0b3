"""Each area's indicators at, just above and just below each threshold of standards.csv."""
import pytest

from .helpers import entry, people, result

MET, PARTLY, NOT_MET, NONE = "met", "partly_met", "not_met", "not_observed"


class TestSpace:
    @pytest.mark.parametrize("room_area, expected", [
        (341, MET), (340, MET), (339, PARTLY), (300, PARTLY), (299, NOT_MET), (None, NONE)])
    def test_m2_per_person_from_room_area_and_headcount(self, room_area, expected):
        # 100 people held: the room area in m² is 100 × the space per person
        assert result("space_per_person", headcounts=people(100), room_area=room_area) == expected

    def test_space_per_person_is_derived_and_reported(self):
        found = entry("space_per_person", headcounts=people(80), room_area=250)
        assert found["derived"] is True and found["value"] == 3.125 and found["result"] == PARTLY

    def test_a_direct_observation_wins_over_the_derived_value(self):
        found = entry("space_per_person", observations={"space_per_person": 4},
                      headcounts=people(100), room_area=100)
        assert found["derived"] is False and found["result"] == MET

    def test_room_area_of_zero_or_nobody_held_derives_nothing(self):
        assert result("space_per_person", headcounts=people(100), room_area=0) == NONE
        assert result("space_per_person", headcounts=people(0), room_area=50) == NONE

    @pytest.mark.parametrize("room_area, expected", [(351, MET), (350, MET), (349, NOT_MET)])
    def test_covered_space_at_reception_sites(self, room_area, expected):
        kwargs = dict(kind="reception_centre", headcounts=people(100), room_area=room_area)
        assert result("covered_space", **kwargs) == expected
        assert result("space_per_person", **kwargs) == NONE  # a detention standard

    @pytest.mark.parametrize("held, expected", [
        (99, MET), (100, MET), (101, PARTLY), (120, PARTLY), (121, NOT_MET)])
    def test_occupancy_against_official_capacity(self, held, expected):
        assert result("occupancy_rate", capacity=100, headcounts=people(held)) == expected

    @pytest.mark.parametrize("capacity", [None, 0])
    def test_occupancy_needs_a_capacity(self, capacity):
        assert result("occupancy_rate", capacity=capacity, headcounts=people(50)) == NONE

    @pytest.mark.parametrize("value, expected", [(5.5, MET), (5.4, MET), (5.39, NOT_MET)])
    def test_single_cell(self, value, expected):
        assert result("single_cell_space", observations={"single_cell_space": value}) == expected
        assert result("single_cell_space", observations={"single_cell_space": value},
                      kind="holding_centre") == NONE

    @pytest.mark.parametrize("value, expected", [(1.61, MET), (1.6, MET), (1.59, NOT_MET)])
    def test_sleeping_space(self, value, expected):
        assert result("sleeping_space", observations={"sleeping_space": value}) == expected

    @pytest.mark.parametrize("days, expected", [(4.9, MET), (5, MET), (5.01, NOT_MET)])
    def test_length_of_stay_in_transit(self, days, expected):
        assert result("length_of_stay", observations={"length_of_stay": days},
                      kind="transit_centre") == expected


class TestWater:
    @pytest.mark.parametrize("litres, expected", [
        (15.01, MET), (15, MET), (14.99, PARTLY), (7.5, PARTLY), (7.49, NOT_MET), (0, NOT_MET)])
    def test_water_quantity(self, litres, expected):
        assert result("water_quantity", observations={"water_quantity": litres}) == expected

    @pytest.mark.parametrize("litres, expected", [(10, MET), (3, MET), (2.99, NOT_MET)])
    def test_water_quantity_for_daytime_only_stays(self, litres, expected):
        observations = {"water_quantity": litres, "daytime_only": "yes"}
        assert result("water_quantity", observations=observations,
                      kind="border_crossing") == expected

    @pytest.mark.parametrize("litres, expected", [
        (3.01, MET), (3, MET), (2.99, PARTLY), (2, PARTLY), (1.99, NOT_MET)])
    def test_drinking_water_in_cells(self, litres, expected):
        assert result("drinking_water_cells",
                      observations={"drinking_water_cells": litres}) == expected

    @pytest.mark.parametrize("held, points, expected", [
        (249, 1, MET), (250, 1, MET), (251, 1, NOT_MET), (500, 2, MET), (10, 0, NOT_MET)])
    def test_people_per_water_point(self, held, points, expected):
        assert result("water_point_users", observations={"water_points": points},
                      kind="transit_centre", headcounts=people(held)) == expected

    def test_no_water_point_for_nobody_is_not_observed(self):
        assert result("water_point_users", observations={"water_points": 0},
                      kind="transit_centre", headcounts=people(0)) == NONE

    def test_low_water_is_critical_for_the_area(self):
        observations = {"water_quantity": 5, "drinking_water_cells": 4}
        from .helpers import score
        assert score(observations)["areas"]["water"]["result"] == NOT_MET


class TestSanitation:
    @pytest.mark.parametrize("held, expected", [
        (19, MET), (20, MET), (21, PARTLY), (50, PARTLY), (51, NOT_MET)])
    def test_people_per_toilet_in_detention(self, held, expected):
        assert result("toilet_users", observations={"toilets": 1},
                      headcounts=people(held)) == expected

    @pytest.mark.parametrize("held, expected", [(20, MET), (50, MET), (51, NOT_MET)])
    def test_people_per_toilet_for_short_stays(self, held, expected):
        assert result("toilet_users", observations={"toilets": 1}, kind="transit_centre",
                      headcounts=people(held)) == expected

    def test_no_working_toilet_is_not_met_and_says_so(self):
        found = entry("toilet_users", observations={"toilets": 0}, headcounts=people(30))
        assert found["result"] == NOT_MET and found["value"] is None
        assert found["note"] == "none available"

    @pytest.mark.parametrize("toilets, female, expected", [
        (4, 3, MET), (7, 5, PARTLY), (2, 1, PARTLY), (3, 1, NOT_MET), (2, 2, MET)])
    def test_female_to_male_toilets(self, toilets, female, expected):
        observations = {"toilets": toilets, "toilets_female": female}
        assert result("toilet_female_ratio", observations=observations,
                      kind="reception_centre") == expected

    @pytest.mark.parametrize("toilets, accessible, expected", [
        (20, 4, MET), (20, 3, MET), (100, 14, NOT_MET), (10, 0, NOT_MET)])
    def test_accessible_toilets(self, toilets, accessible, expected):
        observations = {"toilets": toilets, "toilets_accessible": accessible}
        assert result("toilet_accessible", observations=observations,
                      kind="transit_centre") == expected

    @pytest.mark.parametrize("grams, expected", [(251, MET), (250, MET), (249.9, NOT_MET)])
    def test_soap(self, grams, expected):
        assert result("soap", observations={"soap": grams}) == expected

    @pytest.mark.parametrize("answer, expected", [
        ("yes", MET), ("partly", PARTLY), ("no", NOT_MET), ("unknown", NONE)])
    def test_toilet_safety(self, answer, expected):
        assert result("toilet_safety", observations={"toilet_safety": answer}) == expected

    @pytest.mark.parametrize("frequency, expected", [
        ("daily", MET), ("weekly", MET), ("less_than_weekly", NOT_MET), ("never", NOT_MET),
        ("unknown", NONE)])
    def test_bathing(self, frequency, expected):
        assert result("bathing", observations={"bathing": frequency}) == expected


class TestFood:
    @pytest.mark.parametrize("kcal, expected", [(2101, MET), (2100, MET), (2099, NOT_MET)])
    def test_food_energy(self, kcal, expected):
        assert result("food_energy", observations={"food_energy": kcal}) == expected

    @pytest.mark.parametrize("answer, expected", [("yes", MET), ("partly", PARTLY),
                                                  ("no", NOT_MET)])
    def test_regular_meals_in_detention_only(self, answer, expected):
        assert result("meals_regular", observations={"meals_regular": answer}) == expected
        assert result("meals_regular", observations={"meals_regular": answer},
                      kind="transit_centre") == NONE


class TestAccommodation:
    @pytest.mark.parametrize("answer, expected", [("yes", MET), ("partly", PARTLY),
                                                  ("no", NOT_MET), ("unknown", NONE)])
    def test_light_and_air(self, answer, expected):
        assert result("light_air", observations={"light_air": answer},
                      kind="holding_centre") == expected


class TestHealth:
    @pytest.mark.parametrize("answer, expected", [("yes", MET), ("partly", PARTLY),
                                                  ("no", NOT_MET)])
    def test_medical_care_everywhere_screening_in_detention(self, answer, expected):
        observations = {"medical_access": answer, "medical_screening": answer}
        assert result("medical_access", observations=observations,
                      kind="border_crossing") == expected
        assert result("medical_screening", observations=observations,
                      kind="border_crossing") == NONE
        assert result("medical_screening", observations=observations) == expected


class TestProtection:
    @pytest.mark.parametrize("girls, boys, expected", [(0, 0, MET), (1, 0, NOT_MET),
                                                       (0, 1, NOT_MET)])
    def test_children_detained_from_held_girls_and_boys(self, girls, boys, expected):
        held = {"women": 3, "men": 3, "girls": girls, "boys": boys, "unaccompanied": 0}
        assert result("children_detained", headcounts=held) == expected

    def test_unaccompanied_children_detained_fail_the_area(self):
        from .helpers import score
        held = {"women": 3, "men": 3, "girls": 0, "boys": 1, "unaccompanied": 1}
        scores = score({"separation_sex": "yes", "separation_children": "yes"},
                       headcounts=held)
        area = scores["areas"]["protection"]
        assert area["indicators"]["uac_detained"]["result"] == NOT_MET
        assert area["result"] == NOT_MET

    def test_children_at_a_reception_centre_are_not_a_detention_finding(self):
        held = {"women": 3, "men": 3, "girls": 2, "boys": 2, "unaccompanied": 0}
        assert result("children_detained", kind="reception_centre", headcounts=held) == NONE

    @pytest.mark.parametrize("code", ["separation_sex", "separation_children",
                                      "vulnerable_referred"])
    @pytest.mark.parametrize("answer, expected", [("yes", MET), ("partly", PARTLY),
                                                  ("no", NOT_MET), ("unknown", NONE)])
    def test_answers(self, code, answer, expected):
        assert result(code, observations={code: answer}) == expected


class TestLegal:
    @pytest.mark.parametrize("code", ["registration", "rights_information", "lawyer_access",
                                      "unhcr_access", "consular_access",
                                      "individual_assessment", "judicial_review"])
    @pytest.mark.parametrize("answer, expected", [("yes", MET), ("partly", PARTLY),
                                                  ("no", NOT_MET), ("unknown", NONE)])
    def test_answers_in_detention(self, code, answer, expected):
        assert result(code, observations={code: answer}) == expected

    def test_only_crossing_safeguards_apply_at_a_crossing(self):
        observations = {"rights_information": "no", "lawyer_access": "no"}
        assert result("rights_information", observations=observations,
                      kind="border_crossing") == NOT_MET
        assert result("lawyer_access", observations=observations, kind="border_crossing") == NONE


class TestTreatment:
    @pytest.mark.parametrize("count, expected", [(0, MET), (1, NOT_MET)])
    def test_solitary_confinement_over_15_days(self, count, expected):
        assert result("solitary_over_15_days",
                      observations={"solitary_over_15_days": count}) == expected

    def test_unnecessary_force_fails_the_area(self):
        from .helpers import score
        scores = score({"use_of_force": "no", "solitary_over_15_days": 0,
                        "deaths_reported": "yes"})
        assert scores["areas"]["treatment"]["result"] == NOT_MET

    @pytest.mark.parametrize("answer, expected", [("yes", MET), ("partly", PARTLY),
                                                  ("no", NOT_MET)])
    def test_deaths_reported(self, answer, expected):
        assert result("deaths_reported", observations={"deaths_reported": answer}) == expected


class TestContact:
    @pytest.mark.parametrize("hours, expected", [(1.01, MET), (1, MET), (0.99, NOT_MET)])
    def test_outdoor_exercise(self, hours, expected):
        assert result("outdoor_exercise", observations={"outdoor_exercise": hours}) == expected

    @pytest.mark.parametrize("answer, expected", [("yes", MET), ("partly", PARTLY),
                                                  ("no", NOT_MET)])
    def test_family_contact(self, answer, expected):
        assert result("family_contact", observations={"family_contact": answer}) == expected


class TestOversight:
    @pytest.mark.parametrize("access, expected", [("full", MET), ("partial", PARTLY),
                                                  ("denied", NOT_MET), (None, NONE)])
    def test_monitor_access_from_the_visit(self, access, expected):
        assert result("monitor_access", access=access, kind="border_crossing") == expected

    @pytest.mark.parametrize("answer, expected", [("yes", MET), ("partly", PARTLY),
                                                  ("no", NOT_MET)])
    def test_complaints(self, answer, expected):
        assert result("complaints", observations={"complaints": answer},
                      kind="reception_centre") == expected
        assert result("complaints", observations={"complaints": answer},
                      kind="border_crossing") == NONE
