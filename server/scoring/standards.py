"""The standards table (standards.csv, our own copy with sources) read into indicators with
machine-readable thresholds, and the vocabulary the rules share."""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).with_name("standards.csv")
AREAS = ("space", "water", "sanitation", "food", "accommodation", "health", "protection",
         "legal", "treatment", "contact", "oversight", "reception")
# Registry facility kinds -> the facility groups the standards' applies_to column names. Camps
# are scored as reception sites (Sphere standards); "other" gets only the indicators for all.
KIND_GROUPS = {"border_crossing": "crossing", "reception_centre": "reception",
               "transit_centre": "transit", "holding_centre": "holding",
               "detention_centre": "detention", "camp": "reception", "other": None}
GROUPS = ("crossing", "reception", "transit", "holding", "detention")
SHORT_STAY = frozenset({"crossing", "reception", "transit"})
# Observations that are not indicators but feed derived ones (or decide whether one is asked).
INPUTS = {
    "daytime_only": ("water_quantity",),
    "water_points": ("water_point_users",),
    "toilets": ("toilet_users", "toilet_female_ratio", "toilet_accessible"),
    "toilets_female": ("toilet_female_ratio",),
    "toilets_accessible": ("toilet_accessible",),
    "room_occupants": ("space_per_person", "covered_space"),
    "pregnant_or_nursing": ("pregnancy_care",),  # asked only when at least one was counted
}
# Facts of the visit that are neither indicators nor scoring inputs: how the visit was done.
FACTS = {"interviews_held": "count", "interviews_private": "answer", "female_monitor": "yes_no",
         "interpreter": "yes_no", "registers_seen": "answer", "reprisal_risk": "answer"}
# Allowed answers per value type; "unknown" is an answer that observes nothing.
CHOICES = {
    "answer": frozenset({"yes", "partly", "no", "unknown"}),
    "frequency": frozenset({"daily", "weekly", "less_than_weekly", "never", "unknown"}),
    "access": frozenset({"full", "partial", "denied"}),
}
UNKNOWN = "unknown"
RECEIVING_COUNTRY = "AFG"  # where people are returned to


@dataclass(frozen=True)
class Condition:
    """`>= 3.4`, `<= 20` or `in yes partly`, as written in the table."""
    op: str
    operand: float | frozenset

    @classmethod
    def parse(cls, text: str) -> "Condition | None":
        if not text.strip():
            return None
        op, _, rest = text.strip().partition(" ")
        if op == "in":
            return cls(op, frozenset(rest.split()))
        if op in (">=", "<="):
            return cls(op, float(rest))
        raise ValueError(f"unreadable condition {text!r}")

    def holds(self, value) -> bool:
        if self.op == "in":
            return value in self.operand
        return value >= self.operand if self.op == ">=" else value <= self.operand


@dataclass(frozen=True)
class Indicator:
    code: str
    area: str
    label: str
    unit: str
    minimum_standard: str
    applies_to: frozenset
    value_type: str
    met: Condition
    partly: Condition | None
    alt_condition: str | None
    alt_met: Condition | None
    critical: bool
    source: str
    source_url: str
    dimension: str | None = None  # the assessment dimension it informs (server.assessment)
    responsible: str = "holding_state"  # or "deporting_state", or "receiving_state"

    def applies(self, group: str | None, country: str | None = None) -> bool:
        """Whether the indicator is asked at a facility of this group in this country. What the
        deporting state did is never rated at an Afghan-side facility: it is attributed to Iran
        or Pakistan through the returnee interviews, not to the place of arrival; and what
        happens on arrival (cash, onward transport, family tracing) is asked only there."""
        if self.responsible == "deporting_state" and country == RECEIVING_COUNTRY:
            return False
        if self.responsible == "receiving_state" and country != RECEIVING_COUNTRY:
            return False
        return "all" in self.applies_to or group in self.applies_to

    def read(self, value):
        """The observed value as the rules compare it; ValueError when it cannot be one."""
        if self.value_type == "number":
            return as_number(self.code, value)
        if value not in CHOICES[self.value_type]:
            allowed = ", ".join(sorted(CHOICES[self.value_type]))
            raise ValueError(f"{self.code}: {value!r} is not one of {allowed}")
        return value


def as_number(code: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise ValueError(f"{code}: {value!r} is not a number")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{code}: {value!r} is not a number") from None
    if math.isnan(number) or number < 0:
        raise ValueError(f"{code}: {value!r} must be 0 or more")
    return number


def as_count(code: str, value) -> int:
    number = as_number(code, value)
    if number != int(number):
        raise ValueError(f"{code}: {value!r} is not a whole number")
    return int(number)


@lru_cache(maxsize=1)
def indicators() -> dict[str, Indicator]:
    with TABLE.open(encoding="utf-8") as handle:
        return {row["code"]: _indicator(row) for row in csv.DictReader(handle)}


def _indicator(row: dict) -> Indicator:
    return Indicator(
        code=row["code"], area=row["area"], label=row["indicator"], unit=row["unit"],
        minimum_standard=row["minimum_standard"],
        applies_to=frozenset(row["applies_to"].split(";")), value_type=row["value_type"],
        met=Condition.parse(row["met_when"]), partly=Condition.parse(row["partly_when"]),
        alt_condition=row["alt_condition"] or None, alt_met=Condition.parse(row["alt_met_when"]),
        critical=row["critical"] == "yes", source=row["source"], source_url=row["source_url"],
        dimension=row.get("dimension") or None,
        responsible=row.get("responsible") or "holding_state")


def facility_group(facility_kind: str | None) -> str | None:
    """The standards' facility group of a registry kind (or of a group name itself)."""
    if facility_kind in GROUPS:
        return facility_kind
    if facility_kind not in KIND_GROUPS:
        raise ValueError(f"unknown facility kind {facility_kind!r}")
    return KIND_GROUPS[facility_kind]


def observation_errors(observations: dict) -> dict[str, list[str]]:
    """{code: [message]} for every observation that is not a known indicator or scoring input,
    or whose value the rules could not read; empty when all is well. For services to refuse bad
    input (problem+json) before score_visit would raise."""
    errors: dict[str, list[str]] = {}
    table = indicators()
    for code, value in (observations or {}).items():
        if value is None or value == UNKNOWN:
            continue
        try:
            if code in table:
                table[code].read(value)
            elif code == "daytime_only":
                if value not in ("yes", "no"):
                    raise ValueError(f"{code}: {value!r} is not one of no, yes")
            elif code in INPUTS:
                as_count(code, value)
            elif code in FACTS:
                _fact(code, FACTS[code], value)
            else:
                raise ValueError(f"{code}: not an indicator of the standards table")
        except ValueError as exc:
            errors[code] = [str(exc).removeprefix(f"{code}: ")]
    return errors


def _fact(code: str, kind: str, value) -> None:
    if kind == "count":
        as_count(code, value)
    elif kind == "yes_no" and value not in ("yes", "no"):
        raise ValueError(f"{code}: {value!r} is not yes or no")
    elif kind == "answer" and value not in CHOICES["answer"]:
        raise ValueError(f"{code}: {value!r} is not one of {', '.join(sorted(CHOICES['answer']))}")
