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


def _codes(path: Path) -> tuple[str, ...]:
    with path.open(encoding="utf-8") as handle:
        return tuple(row["code"] for row in csv.DictReader(handle))


@lru_cache(maxsize=1)
def incident_types() -> tuple[str, ...]:
    return _codes(DATA / "incident_types.csv")


# At-risk profiles: counted, never named.
PROFILES = _codes(DATA / "at_risk_profiles.csv")
