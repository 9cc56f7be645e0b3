"""Export of the map's current view (bbox + filters) for coordinators, as GeoJSON or CSV.

What a row carries depends on whose record it is, as in GET /api/incidents/<id>: the caller's
organisation's incidents in full detail (profiles counts, review comment), other organisations'
in the coalition view. Never in an export, whoever asks: narratives, notes, photos and the
monitor's identity. A narrative can name a person; an exported file leaves the audit trail, so
narratives are read one at a time in the app, where each read is audited.

The audit entry (action `export`, with the filters and the number of rows) is committed before
the first byte leaves: nothing is disclosed without its record. Rows are counted and then
streamed from a server-side cursor in blocks, so memory stays flat whatever the view holds;
a report arriving between the count and the stream may make them differ by that report.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Iterator

from sqlalchemy import text

from ..core import audit
from ..core.access import Principal
from ..core.db import db
from .queries import Filters

BLOCK = 64 * 1024
OWN = "(i.organisation_id = :org)"
AFFECTED = ("women", "men", "girls", "boys", "unaccompanied")

# (column, SQL) in the order of the CSV; GeoJSON carries the same as properties, less the
# coordinates, which are its geometry.
COLUMNS: list[tuple[str, str]] = [
    ("id", "i.id"),
    ("view", f"CASE WHEN {OWN} THEN 'full' ELSE 'coalition' END"),
    ("organisation", "coalesce(o.short_name, o.name)"),
    ("type", "i.type"),
    ("occurred_on", "i.occurred_on"),
    ("date_precision", "i.date_precision"),
    ("longitude", "round(ST_X(i.location)::numeric, 6)"),
    ("latitude", "round(ST_Y(i.location)::numeric, 6)"),
    ("location_precision", "i.location_precision"),
    ("country", "i.country"),
    ("admin1", "i.admin1"),
    ("facility_id", "i.facility_id"),
    ("facility_name", "f.name"),
    ("severity", "i.severity"),
    ("verification_status", "i.verification_status"),
    *[(f"affected_{group}", f"i.affected_{group}") for group in AFFECTED],
    ("affected_total", "i.affected_total"),
    ("perpetrator", "i.perpetrator"),
    ("state_responsible", "i.state_responsible"),
    ("source_type", "i.source_type"),
    ("consent", "i.consent"),
    ("follow_up", "i.follow_up"),
    ("merged_reports", "(SELECT count(*) FROM incidents m WHERE m.duplicate_of = i.id)"),
    ("visit_id", "i.visit_id"),
    ("profiles", f"CASE WHEN {OWN} THEN i.profiles END"),
    ("review_comment", f"CASE WHEN {OWN} THEN i.review_comment END"),
    ("created_at", "i.created_at"),
    ("updated_at", "i.updated_at"),
]
GEOMETRY = {"longitude", "latitude"}
FROM = """FROM incidents i JOIN organisations o ON o.id = i.organisation_id
          LEFT JOIN facilities f ON f.id = i.facility_id"""
# filter -> (column, SQL array type)
ARRAYS = {"types": ("i.type", "text[]"), "severities": ("i.severity", "smallint[]"),
          "statuses": ("i.verification_status", "text[]"),
          "organisations": ("i.organisation_id", "uuid[]"), "countries": ("i.country", "bpchar[]"),
          "facilities": ("i.facility_id", "uuid[]")}


def _where(bbox, filters: Filters, organisation_id) -> tuple[str, dict]:
    """Countable incidents (not merged into another, not retracted) in the view."""
    where = ["i.duplicate_of IS NULL", "i.retracted_at IS NULL"]
    params: dict = {"org": organisation_id}
    if bbox:
        where.append("i.location && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)")
        params.update(zip(("minx", "miny", "maxx", "maxy"), bbox))
    for name, (column, array) in ARRAYS.items():
        values = getattr(filters, name)
        if values:
            where.append(f"{column} = ANY(CAST(:{name} AS {array}))")
            params[name] = list(values)
    if filters.start:
        where.append("i.occurred_on >= :start")
        params["start"] = filters.start
    if filters.end:
        where.append("i.occurred_on <= :end")
        params["end"] = filters.end
    return " AND ".join(where), params


def describe(bbox, filters: Filters) -> dict:
    """The view as the audit entry records it (JSON-safe)."""
    given = {name: [str(v) for v in getattr(filters, name)] for name in ARRAYS
             if getattr(filters, name)}
    for name in ("start", "end"):
        if getattr(filters, name):
            given[name] = getattr(filters, name).isoformat()
    if bbox:
        given["bbox"] = list(bbox)
    return given


def start(fmt: str, bbox, filters: Filters, principal: Principal) -> tuple[Iterator[bytes], int]:
    """Count the rows, audit the export (committed), and return the stream of its bytes."""
    session = db.session
    where, params = _where(bbox, filters, principal.organisation_id)
    total, own = session.execute(text(
        f"SELECT count(*), count(*) FILTER (WHERE {OWN}) {FROM} WHERE {where}"), params).one()
    audit.record_and_commit(session, "export", principal, target_type="incident",
                            details={"format": fmt, "filters": describe(bbox, filters),
                                     "rows": total, "full_rows": own,
                                     "coalition_rows": total - own})
    lines = _geojson(where, params) if fmt == "geojson" else _csv(where, params)
    return _blocks(lines), total


def _stream(sql: str, params: dict):
    return db.session.execute(text(sql), params,
                              execution_options={"stream_results": True, "yield_per": 1000})


ORDER = "ORDER BY i.occurred_on DESC, i.id"


def _geojson(where: str, params: dict) -> Iterator[bytes]:
    properties = ", ".join(f"'{name}', {sql}" for name, sql in COLUMNS
                           if name not in GEOMETRY and name != "id")
    feature = (f"json_build_object('type', 'Feature', 'id', i.id, "
               f"'geometry', ST_AsGeoJSON(i.location, 6)::json, "
               f"'properties', json_build_object({properties}))::text")
    yield b'{"type":"FeatureCollection","features":[\n'
    separator = b""
    for (line,) in _stream(f"SELECT {feature} {FROM} WHERE {where} {ORDER}", params):
        yield separator + line.encode()
        separator = b",\n"
    yield b"\n]}\n"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (date, Decimal, int, float)):
        return str(value)
    text_value = str(value)
    # A cell starting like a formula would run in a spreadsheet: keep it text.
    return "'" + text_value if text_value[:1] in ("=", "+", "-", "@", "\t", "\r") else text_value


def _csv(where: str, params: dict) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name for name, _ in COLUMNS])
    columns = ", ".join(sql for _, sql in COLUMNS)
    for row in _stream(f"SELECT {columns} {FROM} WHERE {where} {ORDER}", params):
        writer.writerow([_cell(value) for value in row])
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def _blocks(lines: Iterator[bytes]) -> Iterator[bytes]:
    """Lines joined into blocks of about BLOCK bytes (fewer, larger writes to the socket)."""
    buffer, size = [], 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= BLOCK:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)
