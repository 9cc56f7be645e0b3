"""The words of the method: dimensions, ratings, coverage, evidence kinds, states responsible,
and the map ring of a visit (red flags first, then the worst dimension)."""
from __future__ import annotations

# The four dimensions, in the order they are shown.
DIMENSIONS = ("safety_treatment", "legal_protection", "material_conditions", "return_reception")
# 4 good, 3 reasonably good, 2 not sufficiently good, 1 poor (HM Inspectorate of Prisons'
# scale); None with insufficient_evidence when the monitor could not judge.
RATINGS = (1, 2, 3, 4)
INSUFFICIENT = "insufficient_evidence"
COVERAGE = ("full", "partial", "none")
EVIDENCE_KINDS = ("observed", "interview_private", "interview_not_private", "staff_statement",
                  "register_or_document")
# The state responsible for a finding.
STATES = ("iran", "pakistan", "de_facto_authorities", "other", "unknown")
COUNTRY_STATES = {"IRN": "iran", "PAK": "pakistan", "AFG": "de_facto_authorities"}
# Dimensions that denied or partial access hides: a ring is never "good" while they are unknown.
CORE = ("safety_treatment", "legal_protection")
# Where each red flag belongs.
RED_FLAG_DIMENSIONS = {
    "death": "safety_treatment", "solitary_over_15_days": "safety_treatment",
    "solitary_child": "safety_treatment", "force_or_torture": "safety_treatment",
    "unaccompanied_child_detained": "legal_protection", "children_detained": "legal_protection",
    "asylum_denied": "legal_protection", "at_risk_returned": "return_reception",
}
RED_FLAGS = tuple(RED_FLAG_DIMENSIONS)
# Map ring values, worst first.
RINGS = ("red_flag", "1", "2", "insufficient", "3", "4", "none")


def state_of_country(country: str | None) -> str:
    if not country:
        return "unknown"
    return COUNTRY_STATES.get(country, "other")


def ring_of(dimensions: dict, red_flags: list) -> str:
    """The facility ring of a visit: `red_flag` when there is any; else the worst rating when
    it is 1 or 2; else `insufficient` when safety or legal safeguards could not be judged (a
    centre seen only in its living areas never looks good); else the worst rating (3 or 4);
    `none` when nothing was rated."""
    if red_flags:
        return "red_flag"
    ratings = [d["rating"] for d in dimensions.values() if d.get("rating") is not None]
    worst = min(ratings) if ratings else None
    if worst is not None and worst <= 2:
        return str(worst)
    if any(dimensions.get(name, {}).get("rating") is None for name in CORE):
        return "insufficient" if ratings else "none"
    return str(worst)
