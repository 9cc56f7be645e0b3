"""Facility conditions over time (server.assessment.timeline) for coordinators: as JSON and as
the SVG the facility panel and the review card draw (thin: arguments in, timeline, out). Served
here, beside the labels of the page's language, under the map API's prefix."""
from __future__ import annotations

from flask import Response, jsonify

from ..assessment.timeline import timeline_data, timeline_svg
from ..core import access
from ..core.access import current_principal
from ..core.db import db
from ..core.errors import NotFound
from ..core.http import Blueprint
from ..core.openapi import JSON, ok
from ..core.record_docs import OBJECT, STR, array, obj
from ..map.schemas import DateRangeArgs
from . import dates
from .i18n import text_direction
from .method_labels import timeline_labels

blp = Blueprint("facility_timeline", __name__, url_prefix="/api/map",
                description="Facility conditions over time: one row per assessment dimension, "
                            "one cell per visit, red flags, the indicators most often below "
                            "standard (coalition view of other organisations' visits).")

COORDINATORS = access.role("coordinator")  # as the facility panel (server/map/routes.py)
SVG = "image/svg+xml"
TIMELINE = obj(("facility", "visits", "rows", "below_standard"), facility=OBJECT,
               since={"type": "string", "nullable": True},
               until={"type": "string", "nullable": True}, truncated={"type": "boolean"},
               visits=array(OBJECT), rows=array(obj(("dimension", "cells"), dimension=STR,
                                                    cells=array(OBJECT))),
               below_standard=array(OBJECT))


def _data(facility_id, args) -> dict:
    data = timeline_data(db.session, facility_id,
                         organisation_id=current_principal().organisation_id,
                         since=args.get("start"), until=args.get("end"))
    if data is None:
        raise NotFound(f"No facility {facility_id}.")
    return data


@blp.route("/facilities/<uuid:facility_id>/timeline", methods=["GET"])
@access.access(COORDINATORS)
@blp.arguments(DateRangeArgs, location="query")
@blp.doc(responses=ok(JSON, TIMELINE, "Ratings per dimension and visit, red flags, the "
                                      "indicators most often below standard"))
def facility_timeline(args, facility_id):
    """The facility's conditions over time, as data."""
    return jsonify(_data(facility_id, args))


@blp.route("/facilities/<uuid:facility_id>/timeline.svg", methods=["GET"])
@access.access(COORDINATORS)
@blp.arguments(DateRangeArgs, location="query")
@blp.doc(responses=ok(SVG, {"type": "string"}, "The timeline as an accessible SVG, in the "
                                                "page's language and direction"))
def facility_timeline_svg(args, facility_id):
    """The facility's conditions over time, as an SVG picture."""
    svg = timeline_svg(_data(facility_id, args), timeline_labels(), direction=text_direction(),
                       day=dates.day)
    return Response(svg, mimetype=SVG, headers={"X-Content-Type-Options": "nosniff"})
