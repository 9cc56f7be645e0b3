"""The project's standards table: complete, sourced, readable by the rules."""
from server.assessment import DIMENSIONS
from server.facilities.models import KINDS
from server.scoring.derive import DERIVED_INDICATORS
from server.scoring.standards import (
    AREAS,
    CHOICES,
    GROUPS,
    INPUTS,
    KIND_GROUPS,
    Condition,
    facility_group,
    indicators,
)


def test_every_indicator_has_a_source_a_known_area_and_a_threshold():
    table = indicators()
    assert len(table) == 66
    for code, indicator in table.items():
        assert indicator.dimension in (*DIMENSIONS, None), code
        assert indicator.responsible in ("holding_state", "deporting_state",
                                         "receiving_state"), code
        assert (indicator.dimension is None) == (code == "monitor_access"), code
        assert indicator.source, code
        assert indicator.area in AREAS, code
        assert indicator.met is not None, code
        assert indicator.applies_to <= set(GROUPS) | {"all"}, code
        assert indicator.value_type in ("number", *CHOICES), code


def test_every_area_of_the_issue_has_indicators():
    areas = {indicator.area for indicator in indicators().values()}
    assert areas == set(AREAS)


def test_alternative_thresholds_name_a_known_condition():
    for indicator in indicators().values():
        if indicator.alt_condition:
            assert indicator.alt_condition in ("daytime_only", "short_stay")
            assert indicator.alt_met is not None


def test_facility_kind_mapping_covers_the_registry_kinds():
    assert set(KIND_GROUPS) == set(KINDS)
    assert facility_group("detention_centre") == "detention"
    assert facility_group("holding") == "holding"
    assert facility_group("other") is None


def test_unknown_facility_kind_is_refused():
    import pytest
    with pytest.raises(ValueError, match="unknown facility kind"):
        facility_group("prison")


def test_inputs_and_derived_values_feed_real_indicators():
    table = indicators()
    for fed in INPUTS.values():
        assert set(fed) <= set(table)
    assert set(DERIVED_INDICATORS) <= set(table)


def test_conditions_read_as_written():
    assert Condition.parse(">= 3.4").holds(3.4)
    assert not Condition.parse(">= 3.4").holds(3.39)
    assert Condition.parse("<= 20").holds(20) and not Condition.parse("<= 20").holds(20.01)
    assert Condition.parse("in daily weekly").holds("weekly")
    assert not Condition.parse("in daily weekly").holds("never")
    assert Condition.parse("") is None


def test_observation_errors_name_each_bad_observation():
    from server.scoring import observation_errors
    assert observation_errors({"water_quantity": 12, "toilet_safety": "unknown",
                               "daytime_only": "no", "toilets": 3, "soap": None}) == {}
    assert observation_errors({"water_quantity": -1, "toilet_safety": "maybe",
                               "daytime_only": "sometimes", "toilets": 2.5,
                               "colour_of_walls": "green"}) == {
        "water_quantity": ["-1 must be 0 or more"],
        "toilet_safety": ["'maybe' is not one of no, partly, unknown, yes"],
        "daytime_only": ["'sometimes' is not one of no, yes"],
        "toilets": ["2.5 is not a whole number"],
        "colour_of_walls": ["not an indicator of the standards table"]}


def test_reception_on_arrival_is_asked_only_on_the_afghan_side():
    cash = indicators()["cash_assistance"]
    assert cash.applies("crossing", "AFG") and cash.applies("reception", "AFG")
    assert not cash.applies("crossing", "IRN") and not cash.applies("crossing", "PAK")
    assert not cash.applies("detention", "AFG")
