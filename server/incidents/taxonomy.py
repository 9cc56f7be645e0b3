"""Controlled vocabularies of incidents. Incident types and at-risk profiles, with their labels,
live in server/data/*.csv (shared with the forms); the short lists are here."""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"

DATE_PRECISIONS = ("exact", "approximate", "month")
LOCATION_PRECISIONS = ("exact", "facility", "district", "province")
PERPETRATORS = ("border_police", "immigration_police", "army", "detention_staff", "militia",
                "smugglers", "unknown", "other")
SOURCE_TYPES = ("direct_observation", "first_hand_testimony", "second_hand_report",
                "document_photo")
CONSENT = ("internal_only", "share_anonymised", "share_with_consent")
# The state responsible for an incident or a finding (server.assessment uses the same words).
STATES = ("iran", "pakistan", "de_facto_authorities", "other", "unknown")
SEVERITIES = {  # defined in the form's hints and the README
    1: "minor: no lasting harm (e.g. a short delay, a verbal threat)",
    2: "moderate: harm without injury or loss that lasts (e.g. extortion of a small sum)",
    3: "serious: injury, loss of documents or property, separation of a family",
    4: "severe: serious injury, torture, sexual violence, return of a person at risk",
    5: "critical: death, or a risk to life now",
}


def default_state(country: str | None) -> str:
    """Iran or Pakistan for what happened there; otherwise unknown (at an Afghan crossing it is
    often what the deporting state did, so it is not assumed to be the de facto authorities)."""
    return {"IRN": "iran", "PAK": "pakistan"}.get(country or "", "unknown")


def _codes(path: Path) -> tuple[str, ...]:
    with path.open(encoding="utf-8") as handle:
        return tuple(row["code"] for row in csv.DictReader(handle))


@lru_cache(maxsize=1)
def incident_types() -> tuple[str, ...]:
    return _codes(DATA / "incident_types.csv")


# At-risk profiles: counted, never named.
PROFILES = _codes(DATA / "at_risk_profiles.csv")


@lru_cache(maxsize=1)
def profile_labels() -> dict[str, dict[str, str]]:
    """{code: {"en", "prs", "ps": label}} of the at-risk profiles, in the file's order: the key
    to the coded labels the phone shows (printed on the profile card, never on the phone)."""
    with (DATA / "at_risk_profiles.csv").open(encoding="utf-8") as handle:
        return {row["code"]: {"en": row["label_en"], "prs": row["label_prs"],
                              "ps": row["label_ps"]} for row in csv.DictReader(handle)}
