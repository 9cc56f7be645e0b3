"""The words of a protection case, declared once: urgencies and their deadlines, the statuses
in their order, the outcomes of a closed case."""
from __future__ import annotations

URGENCIES = ("immediate", "within_72h", "routine")
# How soon a case must be referred or closed, by urgency (from its receipt).
DEADLINES_HOURS = {"immediate": 24, "within_72h": 72, "routine": 14 * 24}
STATUSES = ("new", "assessed", "referred", "closed")
OUTCOMES = ("protection_provided", "relocated", "legal_aid", "not_reachable", "declined",
            "not_eligible", "other")
OPEN = ("new", "assessed")
