"""The map's data API for coordinators (thin: arguments in, service, JSON out)."""
from __future__ import annotations

from flask import Response, jsonify

from ..core import access
from ..core.access import current_principal
from ..core.http import Blueprint
from ..core.openapi import GEOJSON, JSON, ok
from ..core.record_docs import BOOL, DATE, INT, NUM, OBJECT, STR, TIME, UUID, array, nullable, obj
from . import service
from .queries import Filters
from .schemas import FacilityHistoryArgs, FacilityLayerArgs, HistogramArgs, IncidentMapArgs

blp = Blueprint("map_data", __name__, url_prefix="/api/map",
                description="Incident counts by grid cell at any zoom, the time histogram and "
                            "the facilities layer of the coordinators' map.")

# Coordinators of every coalition member see the coalition view of all incidents; admins run
# the deployment and do not review monitoring data.
COORDINATORS = access.role("coordinator")
FILTER_NAMES = ("types", "severities", "statuses", "organisations", "countries", "facilities",
                "start", "end")


# The incidents layer's answer (built in SQL): counts per grid cell, points when few, or heatmap
# weights; the coalition view, so nothing that names a monitor, an organisation or tells a story.
CELL = {"type": "array", "items": NUM, "minItems": 3, "maxItems": 3,
        "description": "[lon, lat, incidents] at the cell's centre ([lat, lon, weight] in heat)"}
POINT = obj(("type", "id", "geometry", "properties"), type={"type": "string", "enum": ["Feature"]},
            id=UUID,
            geometry=obj(("type", "coordinates"), type={"type": "string", "enum": ["Point"]},
                         coordinates={"type": "array", "items": NUM, "minItems": 2,
                                      "maxItems": 2}),
            properties=obj(("type", "severity", "occurred_on", "status"), type=STR,
                           severity={"type": "integer", "minimum": 1, "maximum": 5},
                           occurred_on=DATE, status=STR))
INCIDENT_MAP = obj(
    ("mode", "zoom", "level", "cell_deg", "bbox", "total"),
    mode={"type": "string", "enum": ["cells", "points", "heatmap"]}, zoom=INT, level=INT,
    cell_deg=NUM, bbox={"type": "array", "items": NUM, "minItems": 4, "maxItems": 4},
    total={**INT, "description": "incidents in the view"},
    count={**INT, "description": "cells with incidents (cells, heatmap)"},
    max={**INT, "description": "the largest cell's count (cells, heatmap)"},
    cells=array(CELL), heat=array(CELL),
    points=obj(("type", "features"), type={"type": "string", "enum": ["FeatureCollection"]},
               features=array(POINT)))

# The facility panel (server/map/service.facility_history).
ANY = {"description": "as recorded (a number, a word, a list or null)"}
RATINGS = {"type": "object", "additionalProperties": nullable(INT),
           "description": "per dimension: 1 (poor) to 4 (good), null for insufficient evidence"}
DIMENSION = obj(("rating", "indicators"), rating=nullable(INT), coverage=ANY, evidence=ANY,
                source=ANY, state=ANY, adjusted=ANY,
                indicators=array(obj(("code",), code=STR, result=ANY, value=ANY, standard=ANY)))
FACILITY_HISTORY = obj(
    ("facility", "visits", "nearby", "photos"),
    facility=obj(
        ("id", "name", "kind", "country", "lon", "lat", "ring", "stale", "last_visit",
         "dimensions", "derived_from_earlier_form", "red_flags", "access_denied",
         "stale_after_days"),
        id=UUID, name=STR, kind=STR, country=STR, admin1=nullable(STR), status=nullable(STR),
        capacity=nullable(INT), lon=NUM, lat=NUM, ring=STR, stale=BOOL,
        last_visit=nullable(DATE), dimensions={"type": "object", "additionalProperties": DIMENSION},
        derived_from_earlier_form=BOOL,
        red_flags=array(obj(("code",), code=STR, dimension=nullable(STR), state=nullable(STR),
                            source=nullable(STR), count=nullable(INT))),
        access_denied=BOOL, stale_after_days=INT),
    visits=array(obj(
        ("id", "date", "ring", "review_status", "ratings", "area_scores", "red_flags", "derived",
         "own"),
        id=UUID, date=DATE, ring=nullable(STR), access=nullable(STR), review_status=STR,
        ratings=RATINGS,
        area_scores={"type": "object", "additionalProperties": nullable(NUM),
                     "description": "the ratings on the trend chart's 0-1 scale"},
        red_flags=array(STR), derived=BOOL, own=BOOL)),
    nearby=obj(("radius_m", "by_type", "total", "latest"), radius_m=INT,
               by_type={"type": "object", "additionalProperties": INT}, total=INT,
               latest=array(obj(("id", "type", "severity", "occurred_on", "status",
                                 "distance_m"),
                                id=UUID, type=STR, severity=INT, occurred_on=STR, status=STR,
                                distance_m=NUM))),
    photos=array(obj(("id", "url", "thumbnail_url"), id=UUID, visit_id=nullable(UUID),
                     incident_id=nullable(UUID), received_at=nullable(TIME), url=STR,
                     thumbnail_url=STR)))


def _filters(args: dict) -> Filters:
    return Filters(**{name: args[name] for name in FILTER_NAMES if name in args})


def _json(body: str, mimetype: str = "application/json") -> Response:
    return Response(body, mimetype=mimetype)


@blp.route("/incidents", methods=["GET"])
@access.access(COORDINATORS)
@blp.arguments(IncidentMapArgs, location="query")
@blp.doc(responses=ok(JSON, INCIDENT_MAP, "Counts by grid cell, points or heatmap weights"))
def incident_map(args):
    """Incidents in the view: counts by grid cell for the zoom, or points when few."""
    return _json(service.incident_map(args["bbox"], args["zoom"], _filters(args), args["mode"]))


@blp.route("/histogram", methods=["GET"])
@access.access(COORDINATORS)
@blp.arguments(HistogramArgs, location="query")
@blp.doc(responses=ok(JSON, obj(("interval", "total", "buckets"), interval=STR, total=INT,
                                  buckets=array(array(
                                      {"oneOf": [STR, INT]}))), "Counts per interval"))
def histogram(args):
    """Incidents per day, week or month for the filters (for the date slider)."""
    return jsonify(service.histogram(_filters(args), args["interval"]))


@blp.route("/facilities", methods=["GET"])
@access.access(COORDINATORS)
@blp.arguments(FacilityLayerArgs, location="query", as_kwargs=True)
@blp.doc(responses=ok(GEOJSON, obj(("type", "features"),
                                   type={"type": "string", "enum": ["FeatureCollection"]},
                                   features=array(OBJECT)), "A GeoJSON FeatureCollection"))
def facilities_layer(**args):
    """Facilities with their latest ring (red flags
    first, then the worst dimension), stale and access-denied flags."""
    return _json(service.facilities_layer(**args), "application/geo+json")


@blp.route("/facilities/<uuid:facility_id>/history", methods=["GET"])
@access.access(COORDINATORS)
@blp.arguments(FacilityHistoryArgs, location="query", as_kwargs=True)
@blp.doc(responses=ok(JSON, FACILITY_HISTORY,
                      "Visits with area scores, incidents nearby, own photos"))
def facility_history(facility_id, **args):
    """The facility panel: visits with area scores, incidents nearby, own photos."""
    return jsonify(service.facility_history(facility_id, current_principal(), **args))
