"""Review statuses of visits and incidents: declared here once, imported everywhere (SQL too).

A report arrives `submitted`; a coordinator verifies it, sends it back (`has_issues`, the monitor
sees the comment) or rejects it. An edit of its content returns it to `submitted`.
"""
from __future__ import annotations

SUBMITTED, HAS_ISSUES, VERIFIED, REJECTED = "submitted", "has_issues", "verified", "rejected"
REVIEW_STATUSES = (SUBMITTED, HAS_ISSUES, VERIFIED, REJECTED)
WAITING = (SUBMITTED, HAS_ISSUES)  # still in the review queue


def sql_list(statuses) -> str:
    """`('a', 'b')` for SQL: the values are fixed codes above, never input."""
    unknown = set(statuses) - set(REVIEW_STATUSES)
    if unknown:
        raise ValueError(f"not review statuses: {sorted(unknown)}")
    return "(" + ", ".join(f"'{s}'" for s in statuses) + ")"
