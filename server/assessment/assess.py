"""The assessment of one visit from its indicator results (server.scoring), the monitor's own
ratings, and what was found (red flags). Pure functions: no database, no clock.

A rating is the monitor's judgement. Where a report carries none (reports of the earlier form,
migrated once; clients that send no rating), a rating is *suggested* from the indicators and
marked as derived, so that nobody mistakes it for a monitor's: it needs at least
MIN_INDICATORS indicators the monitor answered (values derived from head counts alone judge
nothing), is never above 3 with partial access, never above 2 with a
critical indicator not met, and is 1 when the dimension has a red flag of the facility's state
(however few indicators were answered: the red flag is the evidence).
"""
from __future__ import annotations

from ..scoring.score import MET, NOT_MET, PARTLY_MET
from ..scoring.standards import RECEIVING_COUNTRY, indicators
from .red_flags import detect
from .vocabulary import (
    COVERAGE,
    DIMENSIONS,
    EVIDENCE_KINDS,
    INSUFFICIENT,
    RATINGS,
    ring_of,
    state_of_country,
)

VERSION = 1
MIN_INDICATORS = 2
POINTS = {MET: 2, PARTLY_MET: 1, NOT_MET: 0}
DERIVED, EARLIER_FORM, MONITOR = "derived", "derived_from_earlier_form", "monitor"


def assess_visit(scores: dict, *, access: str, country: str | None, headcounts: dict,
                 observations: dict, monitor: dict | None = None, incidents=(), returnees=(),
                 earlier_form: bool = False) -> dict:
    """{"version", "state", "dimensions": {name: {...}}, "red_flags": [...], "ring",
    "derived_from_earlier_form"}. `scores` is score_visit's result; `monitor` the report's
    {dimension: {"rating": 1-4 or "insufficient_evidence", "coverage", "evidence": [...]}}."""
    state = state_of_country(country)
    flags = detect(observations, scores.get("facility_group"), state, headcounts,
                   incidents=incidents, returnees=returnees, earlier_form=earlier_form,
                   deporting_rated=country != RECEIVING_COUNTRY)
    own_flags = {f["dimension"] for f in flags if f["state"] == state}
    by_dimension = _indicators_by_dimension(scores)
    monitor = monitor or {}
    dimensions = {}
    for name in DIMENSIONS:
        indicators, unobserved = by_dimension.get(name, ([], []))
        if monitor.get(name):
            entry = _given(monitor[name])
        else:
            entry = _suggested(indicators, unobserved, access, name in own_flags)
            entry["source"] = EARLIER_FORM if earlier_form else DERIVED
        entry.update(state=state, indicators=indicators, unobserved=unobserved,
                     red_flag=name in {f["dimension"] for f in flags})
        dimensions[name] = entry
    return {"version": VERSION, "state": state, "dimensions": dimensions, "red_flags": flags,
            "ring": ring_of(dimensions, flags), "derived_from_earlier_form": earlier_form}


def _indicators_by_dimension(scores: dict) -> dict:
    out: dict[str, tuple[list, list]] = {}
    for area in (scores.get("areas") or {}).values():
        for code, entry in area["indicators"].items():
            if entry.get("dimension"):
                out.setdefault(entry["dimension"], ([], []))[0].append(
                    {"code": code, **{k: entry[k] for k in
                                      ("result", "value", "critical", "standard",
                                       "derived")}})
        for code in area["unobserved"]:
            dimension = indicators()[code].dimension if code in indicators() else None
            if dimension:
                out.setdefault(dimension, ([], []))[1].append(code)
    for listed, unobserved in out.values():
        listed.sort(key=lambda e: e["code"])
        unobserved.sort()
    return out


def _given(answer: dict) -> dict:
    """The monitor's rating, checked (ValueError names what is wrong)."""
    rating = answer.get("rating")
    if rating in (None, INSUFFICIENT):
        rating = None
    elif isinstance(rating, bool) or rating not in RATINGS:
        raise ValueError(f"rating {rating!r} is not 1-4 or {INSUFFICIENT}")
    coverage = answer.get("coverage") or ("none" if rating is None else "partial")
    if coverage not in COVERAGE:
        raise ValueError(f"coverage {coverage!r} is not one of {', '.join(COVERAGE)}")
    evidence = list(answer.get("evidence") or [])
    unknown = [e for e in evidence if e not in EVIDENCE_KINDS]
    if unknown:
        raise ValueError(f"evidence {unknown[0]!r} is not one of {', '.join(EVIDENCE_KINDS)}")
    if rating is not None and not evidence:
        raise ValueError("a rating needs the kinds of evidence behind it")
    return {"rating": rating, "insufficient_evidence": rating is None, "coverage": coverage,
            "evidence": sorted(set(evidence)), "source": MONITOR}


def _suggested(indicators: list, unobserved: list, access: str, red_flag: bool) -> dict:
    observed = [e for e in indicators if e["result"] in POINTS]
    answered = [e for e in observed if not e["derived"]]  # head counts alone judge nothing
    if red_flag and access != "denied" and len(answered) < MIN_INDICATORS:
        # a death, solitary beyond 15 days...: the red flag is evidence enough for a 1
        return {"rating": 1, "insufficient_evidence": False, "coverage": "partial",
                "evidence": []}
    if access == "denied" or len(answered) < MIN_INDICATORS:
        coverage = "none" if not observed or access == "denied" else "partial"
        return {"rating": None, "insufficient_evidence": True, "coverage": coverage,
                "evidence": []}
    share = sum(POINTS[e["result"]] for e in observed) / (2 * len(observed))
    rating = 4 if share >= 0.875 else 3 if share >= 0.625 else 2 if share >= 0.375 else 1
    if access == "partial":
        rating = min(rating, 3)
    if any(e["critical"] and e["result"] == NOT_MET for e in observed):
        rating = min(rating, 2)
    if red_flag:
        rating = 1
    full = access == "full" and len(observed) * 2 >= len(observed) + len(unobserved)
    return {"rating": rating, "insufficient_evidence": False,
            "coverage": "full" if full else "partial", "evidence": []}


def stored_dimensions(assessment: dict) -> dict:
    """How an assessment is kept on its visit (visits.dimensions): the four dimensions with the
    assessment's version, the state responsible and the "derived from the earlier form" mark."""
    return {"version": assessment["version"], "state": assessment["state"],
            "derived_from_earlier_form": assessment["derived_from_earlier_form"],
            **assessment["dimensions"]}
