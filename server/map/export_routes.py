"""Export of the map's current view (thin: arguments in, exports module, streamed out)."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Response, stream_with_context
from marshmallow import fields, validate

from ..core import access
from ..core.access import current_principal
from ..core.http import Blueprint
from ..core.validation import BBox
from . import exports
from .queries import Filters
from .schemas import FilterArgs

blp = Blueprint("map_export", __name__, url_prefix="/api/map",
                description="Export of the coordinators' map view as GeoJSON or CSV (audited).")

FORMATS = {"geojson": "application/geo+json", "csv": "text/csv"}
FILTER_NAMES = ("types", "severities", "statuses", "organisations", "countries", "facilities",
                "start", "end")


class ExportArgs(FilterArgs):
    format = fields.String(required=True, validate=validate.OneOf(tuple(FORMATS)))
    bbox = BBox(metadata={"description": "minLon,minLat,maxLon,maxLat (default: everywhere)",
                          "example": "60,29,75,39"})


@blp.route("/export", methods=["GET"])
@access.access(access.role("coordinator"))
@blp.arguments(ExportArgs, location="query")
@blp.doc(responses={"200": {"description": "The incidents of the view, streamed: your "
                                           "organisation's in full, others' in the coalition "
                                           "view; never narratives"}})
def export_view(args):
    """Incidents in the map's view (the map's filters and bbox) as GeoJSON or CSV."""
    filters = Filters(**{name: args[name] for name in FILTER_NAMES if name in args})
    fmt = args["format"]
    chunks, rows = exports.start(fmt, args.get("bbox"), filters, current_principal())
    filename = f"nezarat-incidents-{datetime.now(timezone.utc):%Y%m%d-%H%M}.{fmt}"
    return Response(stream_with_context(chunks), mimetype=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "X-Nezarat-Rows": str(rows), "X-Accel-Buffering": "no"})
