"""Indicator results of one visit: each indicator of the standards table rated against its
threshold, and a result per area. They inform the monitor's rating of the four assessment
dimensions (server.assessment); they never compute an overall grade: there is none (averaging
floor space with access to asylum hides what matters). Pure functions: no database, no clock,
so a visit's results are recomputed from its stored observations whenever it is edited."""
from __future__ import annotations

import math

from .derive import DERIVED_INDICATORS, derive, headcounts_of
from .standards import AREAS, SHORT_STAY, UNKNOWN, Indicator, facility_group, indicators

VERSION = 2  # bump when the rules or the table change, so stored scores can be recomputed
MET, PARTLY_MET, NOT_MET, NOT_OBSERVED = "met", "partly_met", "not_met", "not_observed"
POINTS = {MET: 2, PARTLY_MET: 1, NOT_MET: 0}
# Child-detention indicators a head count of 0 from the earlier form cannot observe: that form
# had no "don't know", so a monitor typed 0 when they did not know.
ZERO_UNKNOWN_IN_EARLIER_FORM = ("children_detained", "uac_detained")


def score_visit(observations: dict, facility_kind: str, capacity: int | None,
                headcounts: dict, room_area_m2: float | None = None,
                access: str | None = None, *, country: str | None = None,
                earlier_form: bool = False) -> dict:
    """{"areas": {area: {"result", "indicators", "unobserved"}}, "derived", "version",
    "facility_group"}. `facility_kind` is the registry kind; `access` the visit's access (full /
    partial / denied), rated as the monitor_access indicator; `country` the facility's (the
    deporting state's procedures are not rated in Afghanistan); `earlier_form` for reports of
    the form without "don't know" on head counts. Raises ValueError naming the observation when
    a value cannot be read."""
    observations = dict(observations or {})
    group = facility_group(facility_kind)
    derived = derive(observations, capacity, headcounts_of(headcounts), room_area_m2,
                     access=access)
    if earlier_form:
        for code in ZERO_UNKNOWN_IN_EARLIER_FORM:
            if derived.get(code) == 0:
                derived[code] = None
    if access is not None:
        observations.setdefault("monitor_access", access)
    context = {"daytime_only": observations.get("daytime_only") == "yes",
               "short_stay": group in SHORT_STAY, "country": country}
    areas = {area: _area(area, group, observations, derived, context) for area in AREAS}
    return {"version": VERSION, "facility_group": group, "areas": areas,
            "derived": {k: _finite(v) for k, v in derived.items()}}


def rate(indicator: Indicator, value, context: dict) -> str:
    """met / partly_met / not_met / not_observed for one observed value."""
    if value is None or value == UNKNOWN:
        return NOT_OBSERVED
    value = indicator.read(value)
    if indicator.alt_condition and context.get(indicator.alt_condition):
        return MET if indicator.alt_met.holds(value) else NOT_MET
    if indicator.met.holds(value):
        return MET
    if indicator.partly and indicator.partly.holds(value):
        return PARTLY_MET
    return NOT_MET


def _area(area: str, group: str | None, observations: dict, derived: dict,
          context: dict) -> dict:
    rated, unobserved = {}, []
    for indicator in indicators().values():
        if indicator.area != area or not indicator.applies(group, context.get("country")):
            continue
        value, is_derived = _value(indicator.code, observations, derived)
        result = rate(indicator, value, context)
        if result == NOT_OBSERVED:
            unobserved.append(indicator.code)
            continue
        rated[indicator.code] = {"result": result, "value": _finite(indicator.read(value)),
                                 "derived": is_derived, "critical": indicator.critical,
                                 "standard": indicator.minimum_standard,
                                 "dimension": indicator.dimension}
        if value == math.inf:
            rated[indicator.code]["note"] = "none available"
    return {"result": _area_result(rated), "indicators": rated, "unobserved": unobserved}


def _value(code: str, observations: dict, derived: dict):
    """The monitor's own value wins; otherwise the derived one, if any."""
    if observations.get(code) is not None:
        return observations[code], False
    if code in DERIVED_INDICATORS and derived[DERIVED_INDICATORS[code]] is not None:
        return derived[DERIVED_INDICATORS[code]], True
    return None, False


def _area_result(rated: dict) -> str:
    results = [entry["result"] for entry in rated.values()]
    if not results:
        return NOT_OBSERVED
    if any(e["critical"] and e["result"] == NOT_MET for e in rated.values()):
        return NOT_MET
    if all(r == MET for r in results):
        return MET
    if all(r == NOT_MET for r in results):
        return NOT_MET
    return PARTLY_MET


def _finite(value):
    return None if value == math.inf else value
