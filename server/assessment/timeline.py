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

__all__ = ["timeline_data", "timelines_data", "timeline_svg"]

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
    return timelines_data(session, [facility_id], organisation_id=organisation_id,
                          since=since, until=until).get(facility_id)


def timelines_data(session: Session, facility_ids, *, organisation_id,
                   since: date | None = None, until: date | None = None) -> dict:
    """{facility id: timeline_data} for many facilities at once (three statements in all, not
    three per facility: a brief's sections); unknown facilities left out."""
    ids = list(dict.fromkeys(facility_ids))
    facilities = queries.facilities(session, ids)
    if not facilities:
        return {}
    visits_of = queries.timeline_visits(session, list(facilities), since=since, until=until,
                                        limit=MAX_VISITS)
    below_of = queries.below_standard(session, list(facilities), since=since, until=until,
                                      limit=BELOW_STANDARD)
    known = indicators()
    return {facility_id: _timeline(facilities[facility_id], visits_of.get(facility_id, []),
                                   below_of.get(facility_id, []), known, organisation_id,
                                   since, until)
            for facility_id in ids if facility_id in facilities}


def _timeline(facility: dict, rows: list, below_rows: list, known: dict, organisation_id,
              since: date | None, until: date | None) -> dict:
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
    below = [{**entry, "label": known[entry["code"]].label if entry["code"] in known
              else entry["code"]} for entry in below_rows]
    return {"facility": {"id": str(facility["id"]), "name": facility["name"],
                         "kind": facility["kind"], "country": facility["country"]},
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "truncated": len(rows) == MAX_VISITS,
            "visits": visits,
            "rows": [{"dimension": name, "cells": rows_by_dimension[name]}
                     for name in DIMENSIONS],
            "below_standard": below}
