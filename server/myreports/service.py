"""A page of a monitor's own reports, each with its incidents and the review decisions on it.
Read-only: nothing here writes or commits."""
from __future__ import annotations

from ..core.access import Principal
from ..core.db import db
from ..core.statuses import HAS_ISSUES
from . import queries


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else (
        str(value) if value is not None and not isinstance(value, (str, int, float, bool))
        else value)


def _clean(row: dict) -> dict:
    return {k: _jsonable(v) for k, v in row.items()}


def reports_page(principal: Principal, *, after=None, limit: int = 50) -> list[dict]:
    """limit rows of the caller's own reports (fetch limit + 1 to know whether more follow)."""
    session = db.session
    rows = queries.page(session, principal.user_id, principal.organisation_id, after=after,
                        limit=limit)
    visit_ids = [r["id"] for r in rows if r["kind"] == "visit"]
    incidents = queries.incidents_of_visits(session, visit_ids) if visit_ids else {}
    targets = [r["id"] for r in rows] + [i["id"] for lst in incidents.values() for i in lst]
    comments = queries.comments_of(session, targets) if targets else {}
    out = []
    for row in rows:
        item = {k: (v if k == "at" else _jsonable(v)) for k, v in row.items()
                if v is not None or k == "review_comment"}
        item["comments"] = [_clean(c) for c in comments.get(row["id"], [])]
        if row["kind"] == "visit":
            item["incidents"] = [
                {**_clean(i), "comments": [_clean(c) for c in comments.get(i["id"], [])]}
                for i in incidents.get(row["id"], [])]
            # Sent back: the monitor may correct it, as a new version of its latest record.
            item["correctable"] = row["review_status"] == HAS_ISSUES or any(
                i["review_status"] == HAS_ISSUES for i in incidents.get(row["id"], []))
        out.append(item)
    return out
