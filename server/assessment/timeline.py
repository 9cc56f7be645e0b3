"""Facility conditions over time, one implementation for the facility panel, the review card
and the briefs: `timeline_data` (one row per dimension, one cell per visit, red flags per visit,
the indicators most often below standard) and `timeline_svg` (that picture as an accessible SVG,
every text escaped, colour never the only cue: insufficient evidence is hatched, ratings carry
their digit where a cell is wide enough, red flags are triangles).

Coalition rules: every coordinator sees every organisation's visits in the coalition view
(date, organisation, access, ratings, evidence kinds, red-flag codes and the state
responsible); red-flag counts, sources and the visit's id only for the caller's own
organisation. Never the monitor, a position, notes or indicator values."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from ..scoring.standards import indicators
from . import queries
from .timeline_svg import timeline_svg
from .vocabulary import DIMENSIONS

__all__ = ["timeline_data", "timeline_svg"]

MAX_VISITS = 200
BELOW_STANDARD = 5


def _cell(entry) -> dict:
    entry = entry if isinstance(entry, dict) else {}
    rating = entry.get("rating")
    rating = rating if rating in (1, 2, 3, 4) else None
    return {"rating": rating, "insufficient": rating is None,
            "coverage": entry.get("coverage"),
            "evidence": [e for e in entry.get("evidence") or [] if isinstance(e, str)],
            "source": entry.get("source")}


def _visit(row: dict, own: bool) -> dict:
    flags = row["red_flags"] if isinstance(row["red_flags"], list) else []
    shown = []
    for flag in flags:
        if not isinstance(flag, dict) or not flag.get("code"):
            continue
        item = {"code": flag["code"], "dimension": flag.get("dimension"),
                "state": flag.get("state")}
        if own:
            item.update(count=flag.get("count"), source=flag.get("source"))
        shown.append(item)
    visit = {"date": row["started_at"].date().isoformat(), "organisation": row["organisation"],
             "own": own, "access": row["access"], "ring": row["ring"],
             "derived_from_earlier_form": bool((row["dimensions"] or {}).get(
                 "derived_from_earlier_form")),
             "red_flags": shown}
    if own:
        visit.update(id=str(row["id"]), review_status=row["review_status"])
    return visit


def timeline_data(session: Session, facility_id: uuid.UUID, *, organisation_id,
                  since: date | None = None, until: date | None = None) -> dict | None:
    """The facility's conditions over time for a coordinator of `organisation_id`; None when
    there is no such facility."""
    facility = queries.facility(session, facility_id)
    if facility is None:
        return None
    rows = queries.timeline_visits(session, facility_id, since=since, until=until,
                                   limit=MAX_VISITS)
    visits, rows_by_dimension = [], {name: [] for name in DIMENSIONS}
    for index, row in enumerate(rows):
        own = organisation_id is not None and row["organisation_id"] == organisation_id
        visit = _visit(row, own)
        visits.append(visit)
        flagged = {f["dimension"] for f in visit["red_flags"]}
        for name in DIMENSIONS:
            cell = _cell((row["dimensions"] or {}).get(name))
            cell.update(red_flag=name in flagged, visit=index, date=visit["date"])
            rows_by_dimension[name].append(cell)
    known = indicators()
    below = [{**entry, "label": known[entry["code"]].label if entry["code"] in known
              else entry["code"]}
             for entry in queries.below_standard(session, facility_id, since=since,
                                                 until=until, limit=BELOW_STANDARD)]
    return {"facility": {"id": str(facility["id"]), "name": facility["name"],
                         "kind": facility["kind"], "country": facility["country"]},
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "truncated": len(rows) == MAX_VISITS,
            "visits": visits,
            "rows": [{"dimension": name, "cells": rows_by_dimension[name]}
                     for name in DIMENSIONS],
            "below_standard": below}
