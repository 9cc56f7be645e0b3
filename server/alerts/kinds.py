"""The kinds of alert rule: what each one's `params` may hold and what event it matches.

A kind is a name, a params validator and, for event kinds, a predicate over the event's facts.
Their events: a new incident (a visit's or on its own), access denied at a visit, a red flag
found at a visit, a dimension rated lower than at the facility's last visit that rated it (all
evaluated by the visit's job), a facility not visited for N days, a protection case received
urgent and a case overdue (periodic). Case rules are the organisation's own: a case is never
another organisation's business, so they take no place or scope.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Callable

from ..assessment.vocabulary import DIMENSIONS, RED_FLAGS
from ..core.errors import ValidationFailed


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    fields: dict[str, Callable]  # param -> checker(value) -> normalised value
    matches: Callable[[dict, dict], bool] | None = None  # (params, facts) -> bool


def _strings(value) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 64
                                              for v in value) or len(value) > 200:
        raise ValueError("a list of short strings")
    return sorted(set(value))


def _uuids(value) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > 500:
        raise ValueError("a list of ids")
    return sorted({str(uuid.UUID(str(v))) for v in value})


def _among(allowed: tuple[str, ...], default: list[str] | None = None):
    def check(value):
        if value is None:
            return default
        if not isinstance(value, list) or not value or any(v not in allowed for v in value):
            raise ValueError(f"a list of some of {', '.join(allowed)}")
        return sorted(set(value))
    return check


def _countries(value) -> list[str] | None:
    value = _strings(value)
    if value and not all(len(v) == 3 and v.isalpha() for v in value):
        raise ValueError("ISO 3166-1 alpha-3 codes")
    return [v.upper() for v in value] if value else value


def _int_between(low: int, high: int):
    def check(value):
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f"a whole number from {low} to {high}")
        return value
    return check


def _scope(value):
    if value in (None, "own"):
        return "own"
    if value != "coalition":
        raise ValueError("'own' (the organisation's records) or 'coalition'")
    return value


WHERE = {"facility_ids": _uuids, "countries": _countries, "scope": _scope}


def _where(params: dict, facts: dict) -> bool:
    if params.get("scope", "own") == "own" and facts["organisation_id"] != params["_org"]:
        return False
    if params.get("facility_ids") and str(facts.get("facility_id")) not in params["facility_ids"]:
        return False
    return not params.get("countries") or facts.get("country") in params["countries"]


def _incident(params: dict, facts: dict) -> bool:
    if params.get("types") and facts["type"] not in params["types"]:
        return False
    if params.get("min_severity") and facts["severity"] < params["min_severity"]:
        return False
    return _where(params, facts)


def _red_flag(params: dict, facts: dict) -> bool:
    return (not params.get("codes") or facts["code"] in params["codes"]) and \
        _where(params, facts)


def _rating_lower(params: dict, facts: dict) -> bool:
    return (not params.get("dimensions") or facts["dimension"] in params["dimensions"]) and \
        _where(params, facts)


def _own(params: dict, facts: dict) -> bool:
    return facts["organisation_id"] == params["_org"]


def _case_urgent(params: dict, facts: dict) -> bool:
    return _own(params, facts) and facts["urgency"] in params.get("urgencies", ["immediate"])


URGENCIES = ("immediate", "within_72h", "routine")  # server.cases.vocabulary.URGENCIES

KINDS = {k.name: k for k in (
    Kind("incident", "New incident",
         {"types": _strings, "min_severity": _int_between(1, 5), **WHERE}, _incident),
    Kind("access_denied", "Access denied", dict(WHERE), _where),
    Kind("not_visited", "Facility not visited",
         {"days": _int_between(1, 3650), "facility_ids": _uuids, "countries": _countries}),
    Kind("red_flag", "Red flag at a facility", {"codes": _among(RED_FLAGS), **WHERE},
         _red_flag),
    Kind("rating_lower", "Rated lower than at the last visit",
         {"dimensions": _among(DIMENSIONS), **WHERE}, _rating_lower),
    Kind("case_urgent", "Urgent protection case",
         {"urgencies": _among(URGENCIES, ["immediate"])}, _case_urgent),
    Kind("case_overdue", "Protection case overdue", {}, _own),
)}


def clean(kind: str, params: dict | None) -> dict:
    """The params of a rule of `kind`, checked and normalised (unknown keys refused)."""
    if kind not in KINDS:
        raise ValidationFailed.field("kind", f"Choose among {', '.join(KINDS)}.")
    params = params or {}
    if not isinstance(params, dict):
        raise ValidationFailed.field("params", "An object.")
    fields = KINDS[kind].fields
    unknown = sorted(set(params) - set(fields))
    if unknown:
        raise ValidationFailed.field("params", f"Unknown for {kind}: {', '.join(unknown)}.")
    out = {}
    for name, check in fields.items():
        try:
            value = check(params.get(name))
        except (ValueError, TypeError) as exc:
            raise ValidationFailed.field(f"params.{name}", f"Must be {exc}.") from None
        if value is not None:
            out[name] = value
    if kind == "not_visited" and "days" not in out:
        raise ValidationFailed.field("params.days", "Say after how many days.")
    return out


def matches(rule, facts: dict) -> bool:
    kind = KINDS.get(rule.kind)
    if kind is None or kind.matches is None:
        return False
    return kind.matches({**rule.params, "_org": rule.organisation_id}, facts)
