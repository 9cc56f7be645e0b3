"""Red flags: findings shown on their own and never averaged away (a death; solitary beyond 15
days, or of any length for a child; children or an unaccompanied child detained; people with
at-risk profiles returned; first-hand reports of force or torture; denial of access to asylum).
Each is attributed to the state responsible. Pure functions."""
from __future__ import annotations

from ..scoring.standards import UNKNOWN
from .vocabulary import RED_FLAG_DIMENSIONS

DETAINING = ("detention", "holding")
DEATHS = ("death", "suicide")  # a death by suicide is recorded as suicide only
FIRST_HAND = ("direct_observation", "first_hand_testimony")
VIOLENCE = ("physical_violence", "torture", "ill_treatment", "sgbv", "shooting_at_border")
RETURNS = ("forced_return", "collective_expulsion", "pushback", "coerced_return_signature")


def detect(observations: dict, group: str | None, state: str, headcounts: dict, *,
           incidents=(), returnees=(), earlier_form: bool = False,
           deporting_rated: bool = True) -> list[dict]:
    """[{"code", "dimension", "state", "source", "count"}] sorted by code and state.
    `state` is the facility's state (who holds people there); incidents and returnee groups
    carry their own. `deporting_rated` is False at an Afghan-side facility: answers about the
    deporting state's procedures are not findings about that facility."""
    found: dict[tuple[str, str, str], int] = {}

    def flag(code: str, who: str, source: str, count: int = 1) -> None:
        key = (code, who, source)
        found[key] = found.get(key, 0) + max(count, 1)

    obs = observations or {}
    for code, count in _from_observations(obs, group, headcounts, earlier_form,
                                          deporting_rated):
        flag(code, state, "visit", count)
    for incident in incidents:
        for code in _from_incident(incident):
            flag(code, incident.get("state_responsible") or "unknown", "incident")
    for group_seen in returnees:
        who = group_seen.get("state_responsible") or "unknown"
        if _positive(group_seen.get("at_risk")):
            flag("at_risk_returned", who, "returnee_interview", group_seen["at_risk"])
        if group_seen.get("asylum_refused") == "yes":
            flag("asylum_denied", who, "returnee_interview")
        if group_seen.get("force_alleged") == "yes":
            flag("force_or_torture", who, "returnee_interview")
    return [{"code": code, "dimension": RED_FLAG_DIMENSIONS[code], "state": who,
             "source": source, "count": count}
            for (code, who, source), count in sorted(found.items())]


def _from_observations(obs: dict, group, headcounts: dict, earlier_form: bool,
                       deporting_rated: bool):
    if _positive(obs.get("deaths_known")):
        yield "death", obs["deaths_known"]
    elif earlier_form and group in DETAINING and obs.get("deaths_reported") not in (
            None, UNKNOWN):
        # The earlier form asked about the investigation only "when a death is known", and only
        # at holding and detention centres: elsewhere such an answer was never asked for.
        yield "death", 1
    if _positive(obs.get("solitary_over_15_days")):
        yield "solitary_over_15_days", obs["solitary_over_15_days"]
    if _positive(obs.get("solitary_children")):
        yield "solitary_child", obs["solitary_children"]
    if "yes" in (obs.get("physical_force"), obs.get("force_seen_or_alleged")) or (
            earlier_form and obs.get("use_of_force") == "no"):
        yield "force_or_torture", 1
    if deporting_rated and (obs.get("asylum_access") == "no" or (
            earlier_form and "no" in (obs.get("unhcr_access"), obs.get("individual_assessment")))):
        yield "asylum_denied", 1
    if group in DETAINING:
        children = sum(headcounts.get(k) or 0 for k in ("girls", "boys"))
        if children > 0:
            yield "children_detained", children
        if _positive(headcounts.get("unaccompanied")):
            yield "unaccompanied_child_detained", headcounts["unaccompanied"]


def _from_incident(incident: dict):
    kind = incident.get("type")
    if kind in DEATHS:
        yield "death"
    if kind in VIOLENCE and incident.get("source_type") in FIRST_HAND:
        yield "force_or_torture"
    if kind == "denial_of_asylum":
        yield "asylum_denied"
    if kind in RETURNS and any(_positive(n) for n in (incident.get("profiles") or {}).values()):
        yield "at_risk_returned"


def _positive(value) -> bool:
    try:
        return value is not None and value != UNKNOWN and float(value) > 0
    except (TypeError, ValueError):
        return False
