"""The facility comparison table: every facility x the four dimensions, the latest rating per
cell, the latest visit's red flags ("open": not yet answered by a later visit), days since the
last visit; and its CSV (codes and labels side by side). Facilities and their latest ratings are
what every coordinator's map shows already (the coalition view: no people, no organisation)."""
from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session

from . import queries
from .vocabulary import DIMENSIONS


def comparison(session: Session, *, countries=(), kinds=()) -> list[dict]:
    rows = []
    for row in queries.latest_by_facility(session, countries=countries, kinds=kinds):
        dims = row["dimensions"] or {}
        ratings = {}
        for name in DIMENSIONS:
            entry = dims.get(name) if isinstance(dims.get(name), dict) else None
            rating = entry.get("rating") if entry else None
            ratings[name] = None if entry is None else (
                rating if rating in (1, 2, 3, 4) else "insufficient_evidence")
        flags = sorted({f["code"] for f in (row["red_flags"] or [])
                        if isinstance(f, dict) and f.get("code")})
        rows.append({"id": str(row["id"]), "name": row["name"], "kind": row["kind"],
                     "country": row["country"],
                     "last_visit": row["last_visit"].date().isoformat() if row["last_visit"]
                     else None,
                     "days_since": row["days_since"], "ratings": ratings, "red_flags": flags,
                     "access_denied": row["access"] == "denied"})
    return rows


def csv_text(rows: list[dict], labels: dict) -> str:
    """The table as CSV: each dimension's code and label, red flags' codes and labels."""
    dims, ratings, flags = (labels.get(k, {}) for k in ("dimensions", "ratings", "redFlags"))
    kinds = labels.get("kinds", {})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    head = ["facility_id", "facility", "kind", "kind_label", "country", "last_visit",
            "days_since_last_visit"]
    for name in DIMENSIONS:
        head += [name, f"{name}_label"]
    writer.writerow(head + ["red_flags", "red_flags_label"])
    for row in rows:
        line = [row["id"], _safe(row["name"]), row["kind"], kinds.get(row["kind"], row["kind"]),
                row["country"], row["last_visit"] or "", "" if row["days_since"] is None
                else row["days_since"]]
        for name in DIMENSIONS:
            value = row["ratings"][name]
            code = "" if value is None else str(value)
            line += [code, ratings.get(code, "") if code else ""]
        line += [" ".join(row["red_flags"]),
                 "; ".join(flags.get(c, c) for c in row["red_flags"])]
        writer.writerow(line)
    return buffer.getvalue()


def _safe(value: str) -> str:
    """No spreadsheet formula from a name (CSV injection)."""
    return "'" + value if value and value[0] in "=+-@\t\r" else value
