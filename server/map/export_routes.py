"""Export of the map's current view (thin: arguments in, exports module, streamed out)."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Response, stream_with_context
from marshmallow import fields, validate

from ..core import access
from ..core.access import current_principal
from ..core.http import Blueprint
from ..core.record_docs import (
    BOOL,
    DATE,
    GEOMETRY,
    INT,
    OBJECT,
    STR,
    TIME,
    UUID,
    array,
    nullable,
    obj,
)
from ..core.validation import BBox
from . import exports
from .queries import Filters
from .schemas import FilterArgs

blp = Blueprint("map_export", __name__, url_prefix="/api/map",
                description="Export of the coordinators' map view as GeoJSON or CSV (audited).")

FORMATS = {"geojson": "application/geo+json", "csv": "text/csv"}
FILTER_NAMES = ("types", "severities", "statuses", "organisations", "countries", "facilities",
                "start", "end")


_COUNT = nullable({**INT, "description": "People affected; null: not known (never 0)"})
_TOTAL = nullable({**INT, "description": "The sum of the known counts of women, men, girls and "
                                         "boys: at least that many when one is not known; null "
                                         "when none is known"})
PROPERTIES = {
    "view": {"type": "string", "enum": ["full", "coalition"],
             "description": "full: your organisation's incident; coalition: another's"},
    "organisation": STR, "type": STR, "occurred_on": DATE, "date_precision": STR,
    "location_precision": STR, "country": nullable(STR), "admin1": nullable(STR),
    "facility_id": nullable(UUID), "facility_name": nullable(STR), "severity": INT,
    "verification_status": STR, **{f"affected_{group}": _COUNT for group in exports.AFFECTED},
    "affected_total": _TOTAL, "perpetrator": nullable(STR), "state_responsible": STR,
    "source_type": nullable(STR), "consent": STR, "follow_up": BOOL, "merged_reports": INT,
    "visit_id": nullable(UUID),
    "profiles": nullable({**OBJECT, "description": "Your organisation's incidents only"}),
    "review_comment": nullable({**STR, "description": "Your organisation's incidents only"}),
    "created_at": TIME, "updated_at": TIME}
FEATURE = obj(("type", "id", "geometry", "properties"),
              type={"type": "string", "enum": ["Feature"]}, id=UUID, geometry=GEOMETRY,
              properties=obj(tuple(PROPERTIES), **PROPERTIES))
_HEADERS = {"X-Nezarat-Rows": {"description": "How many incidents the export holds (counted "
                                              "when it started)", "schema": INT},
            "Content-Disposition": {"description": "attachment; the file's name",
                                    "schema": STR}}
RESPONSES = {"200": {
    "description": "The incidents of the view, streamed: your organisation's in full, others' "
                   "in the coalition view; never narratives",
    "headers": _HEADERS,
    "content": {
        FORMATS["geojson"]: {"schema": obj(
            ("type", "features"), type={"type": "string", "enum": ["FeatureCollection"]},
            features=array(FEATURE))},
        FORMATS["csv"]: {"schema": {**STR, "description": "RFC 4180, one row per incident: "
                                                          "the column names, then the rows"},
                         "example": ",".join(name for name, _ in exports.COLUMNS) + "\n"}}}}


class ExportArgs(FilterArgs):
    format = fields.String(required=True, validate=validate.OneOf(tuple(FORMATS)))
    bbox = BBox(metadata={"description": "minLon,minLat,maxLon,maxLat (default: everywhere)",
                          "example": "60,29,75,39"})


@blp.route("/export", methods=["GET"])
@access.access(access.role("coordinator"))
@blp.arguments(ExportArgs, location="query")
@blp.doc(responses=RESPONSES)
def export_view(args):
    """Incidents in the map's view (the map's filters and bbox) as GeoJSON or CSV."""
    filters = Filters(**{name: args[name] for name in FILTER_NAMES if name in args})
    fmt = args["format"]
    chunks, rows = exports.start(fmt, args.get("bbox"), filters, current_principal())
    filename = f"nezarat-incidents-{datetime.now(timezone.utc):%Y%m%d-%H%M}.{fmt}"
    return Response(stream_with_context(chunks), mimetype=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "X-Nezarat-Rows": str(rows), "X-Accel-Buffering": "no"})
