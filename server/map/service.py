"""What the coordinators' map shows. Aggregates count every organisation's incidents (the
coalition view); points carry id, type, severity, date and status only; photos only of the
caller's own organisation. Read-only: nothing here writes or audits (no sensitive field is read).
"""
from __future__ import annotations

import json
import uuid

from flask import current_app

from ..assessment.vocabulary import DIMENSIONS
from ..core import calendars
from ..core.access import Principal
from ..core.db import db
from ..core.errors import NotFound
from . import facility_queries, grid, queries
from .queries import Filters

MAX_CELLS = 8000  # cells a response may carry (~25 bytes each): the view is coarsened to fit
MAX_POINTS = 1000  # below this many incidents in view, individual points are sent...
POINTS_MIN_ZOOM = 10  # ...from this zoom on


def _splice(head: dict, **raw_json: str) -> str:
    """A JSON object from `head` plus members whose values are JSON text already."""
    body = json.dumps(head, separators=(",", ":"), default=str)[:-1]
    for name, value in raw_json.items():
        body += f',"{name}":{value}'
    return body + "}"


def incident_map(bbox, zoom: int, filters: Filters, mode: str = "auto") -> str:
    """Counts by grid cell in the view (or points when few, or heatmap weights), as JSON."""
    session = db.session
    cells = grid.fit(bbox, grid.level_for_zoom(zoom), MAX_CELLS)
    plan = grid.plan(filters.start, filters.end)
    heat = mode == "heatmap"
    array, total, count, biggest = queries.cells(session, cells, filters, plan, heat=heat)
    head = {"mode": "heatmap" if heat else "cells", "zoom": zoom, "level": cells.level.level,
            "cell_deg": cells.level.cell_deg, "bbox": list(bbox), "total": total}
    if mode == "auto" and total <= MAX_POINTS and zoom >= POINTS_MIN_ZOOM:
        features = queries.points(session, cells, filters, MAX_POINTS)
        head["mode"] = "points"
        return _splice(head, points=f'{{"type":"FeatureCollection","features":{features}}}')
    head.update(count=count, max=biggest)
    return _splice(head, **{"heat" if heat else "cells": array})


def histogram(filters: Filters, interval: str) -> dict:
    if interval == "solar_month":  # days from the database, summed per Solar Hijri month
        days, total = queries.histogram(db.session, filters, "day")
        return {"interval": interval, "total": total,
                "buckets": calendars.months_of(days, calendars.SOLAR_HIJRI)}
    buckets, total = queries.histogram(db.session, filters, interval)
    return {"interval": interval, "total": total, "buckets": buckets}


def facilities_layer(*, bbox=None, kinds=(), countries=(), limit: int) -> str:
    """GeoJSON of facilities with their latest ring (red flags
    first, then the worst dimension), stale and access-denied flags."""
    stale = current_app.config["STALE_AFTER_DAYS"]
    features, count, truncated = facility_queries.layer(
        db.session, bbox=bbox, kinds=kinds, countries=countries, stale_after_days=stale,
        limit=limit)
    head = {"type": "FeatureCollection", "numberReturned": count, "truncated": truncated,
            "stale_after_days": stale}
    return _splice(head, features=features)


def _visit_point(visit: dict) -> dict:
    """One visit of the panel: its ratings per dimension (1 poor - 4 good, None insufficient
    evidence), its red flags and ring; `area_scores` puts the ratings on the trend chart's
    0-1 scale per dimension (the chart draws each dimension apart, never an average)."""
    ratings = {name: (visit.get("ratings") or {}).get(name) for name in DIMENSIONS}
    visit["ratings"] = ratings
    visit["area_scores"] = {name: None if r is None else (r - 1) / 3
                            for name, r in ratings.items()}
    visit["date"] = visit.pop("started_at").date().isoformat()
    return visit


def _dimension(entry: dict | None) -> dict:
    """What the panel shows of a dimension: rating, coverage, evidence, source, and the
    indicators beside it (they inform the rating, they do not compute it)."""
    entry = entry or {}
    return {key: entry.get(key) for key in ("rating", "coverage", "evidence", "source", "state",
                                            "adjusted")} | {
        "indicators": [{k: i.get(k) for k in ("code", "result", "value", "standard")}
                       for i in entry.get("indicators") or []]}


def facility_history(facility_id: uuid.UUID, principal: Principal, *, start=None, end=None,
                     radius_m: int = 5000, visits: int = 200) -> dict:
    """The facility panel: summary, visits with area scores (trend chart), incidents nearby,
    and the latest photos of the caller's own organisation."""
    session = db.session
    stale = current_app.config["STALE_AFTER_DAYS"]
    summary = facility_queries.facility_summary(session, facility_id, stale)
    if summary is None:
        raise NotFound(f"No facility {facility_id}.")
    history = facility_queries.visit_history(session, facility_id, principal.organisation_id,
                                             start=start, end=end, limit=visits)
    nearby = facility_queries.incidents_nearby(session, facility_id, radius_m=radius_m,
                                               start=start, end=end, latest=20)
    photos = facility_queries.own_photos(session, facility_id, principal.organisation_id, 12)
    for photo in photos:  # paths of the attachments API, which checks access again
        photo["url"] = f"/api/attachments/{photo['id']}"
        photo["thumbnail_url"] = f"/api/attachments/{photo['id']}/thumbnail"
    last = summary.pop("last_visit")
    assessment = summary.pop("assessment") or {}
    dimensions = assessment.get("dimensions") or {}
    summary.update(last_visit=last.date().isoformat() if last else None,
                   dimensions={name: _dimension(dimensions.get(name)) for name in DIMENSIONS},
                   derived_from_earlier_form=bool(dimensions.get("derived_from_earlier_form")),
                   red_flags=assessment.get("red_flags") or [],
                   access_denied=summary.pop("access") == "denied",
                   stale_after_days=stale)
    return {"facility": summary, "visits": [_visit_point(v) for v in history],
            "nearby": {"radius_m": radius_m, **nearby}, "photos": photos}
