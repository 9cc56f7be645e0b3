"""Values computed from what the monitor counted and measured: people held, m² per person,
occupancy, people per toilet or water point, toilet ratios, children detained."""
from __future__ import annotations

import math

from .standards import as_count, as_number

HEADCOUNT_KEYS = ("women", "men", "girls", "boys", "unaccompanied")
# Indicator code -> the derived value that observes it when the monitor gave no direct value.
DERIVED_INDICATORS = {
    "space_per_person": "m2_per_person",
    "covered_space": "m2_per_person",
    "occupancy_rate": "occupancy_pct",
    "children_detained": "children_detained",
    "uac_detained": "uac_detained",
    "toilet_users": "people_per_toilet",
    "water_point_users": "people_per_water_point",
    "toilet_female_ratio": "female_to_male_toilets",
    "toilet_accessible": "accessible_toilets_pct",
}


def headcounts_of(headcounts: dict | None) -> dict[str, int | None]:
    """women, men, girls, boys, unaccompanied (a `held_` prefix is accepted) as counts."""
    counts = {key: None for key in HEADCOUNT_KEYS}
    for key, value in (headcounts or {}).items():
        name = key.removeprefix("held_")
        if name not in counts:
            raise ValueError(f"unknown headcount {key!r}")
        if value is not None:
            counts[name] = as_count(key, value)
    return counts


def derive(observations: dict, capacity: int | None, counts: dict,
           room_area_m2: float | None, access: str | None = None) -> dict:
    """Every derived value, None where its inputs are missing; math.inf where a ratio divides
    people by zero facilities (no working toilet at all). The room area covers the rooms seen:
    it is divided by their occupants (`room_occupants`), and by everyone held only when access
    was full (with partial access the rooms seen do not hold everyone)."""
    held = _sum(counts["women"], counts["men"], counts["girls"], counts["boys"])
    occupants = _count(observations, "room_occupants")
    if occupants is None and access in (None, "full"):
        occupants = held
    toilets = _count(observations, "toilets")
    female = _count(observations, "toilets_female")
    accessible = _count(observations, "toilets_accessible")
    for code, part in (("toilets_female", female), ("toilets_accessible", accessible)):
        if part is not None and toilets is not None and part > toilets:
            raise ValueError(f"{code}: {part} is more than the {toilets} working toilets")
    area = as_number("room_area_m2", room_area_m2) if room_area_m2 is not None else None
    capacity = capacity if capacity and capacity > 0 else None  # 0 means "not recorded"
    return {
        "people_held": held,
        "m2_per_person": _ratio(area, occupants) if area else None,  # an area of 0 was not measured
        "occupancy_pct": _ratio(held, capacity, scale=100),
        "children_detained": _at_least(counts["girls"], counts["boys"]),
        "uac_detained": counts["unaccompanied"],
        "people_per_toilet": _per(held, toilets),
        "people_per_water_point": _per(held, _count(observations, "water_points")),
        "female_to_male_toilets": _per(female, None if toilets is None or female is None
                                       else toilets - female),
        "accessible_toilets_pct": _ratio(accessible, toilets, scale=100),
    }


def _count(observations: dict, code: str) -> int | None:
    value = observations.get(code)
    return None if value is None else as_count(code, value)


def _at_least(*values: int | None) -> int | None:
    """The sum when every count is known; the known part when it is already above 0 (3 girls
    and "don't know" boys: at least 3 children); None otherwise: a "don't know" never makes a
    count of 0."""
    known = sum(v for v in values if v is not None)
    if all(v is not None for v in values) or known > 0:
        return known
    return None


def _sum(*values: int | None) -> int | None:
    return None if any(v is None for v in values) else sum(values)


def _ratio(numerator, denominator, scale: int = 1) -> float | None:
    """numerator / denominator, or None when either is unknown or the denominator is 0.
    Not rounded (a rounded 3.395 would pass a 3.4 threshold); scaled before dividing, so
    that 120 of 100 is exactly 120.0 %."""
    if numerator is None or not denominator:
        return None
    return numerator * scale / denominator


def _per(people: int | None, units: int | None) -> float | None:
    """People per unit; with no unit at all, nobody is served: infinitely many per unit."""
    if people is None or units is None:
        return None
    if units == 0:
        return math.inf if people > 0 else None
    return people / units
