"""Facility registry API (thin: arguments in, service or query, GeoJSON out)."""
from __future__ import annotations

import uuid

from flask import jsonify, url_for

from ..core import access
from ..core.access import current_principal
from ..core.db import db
from ..core.http import Blueprint
from ..core.pagination import Keyset, links, page_of
from . import docs, queries, service
from .schemas import CloseSchema, FacilityInSchema, FacilityListArgs, FacilityPatchSchema

blp = Blueprint("facilities", __name__, url_prefix="/api/facilities",
                description="The registry of crossings, centres and camps that monitors visit.")

READ = access.signed_in | access.device() | access.partner("facilities:read")
WRITE = access.role("coordinator", "admin")
PAGES = Keyset("facilities", "text", "uuid")
GEOJSON = "application/geo+json"


def _feature_response(facility_id: uuid.UUID, status: int = 200):
    response = jsonify(queries.get_feature(db.session, facility_id))
    response.status_code = status
    response.headers["Location"] = url_for("facilities.get_facility", facility_id=facility_id)
    response.mimetype = "application/geo+json"
    return response


@blp.route("", methods=["GET"])
@access.access(READ)
@blp.arguments(FacilityListArgs, location="query", as_kwargs=True)
@blp.doc(responses=docs.LIST)
def list_facilities(limit, cursor=None, **filters):
    """List facilities as GeoJSON, filtered by bbox, kind, country, status or name."""
    rows = queries.list_features(db.session, after=PAGES.read(cursor), limit=limit + 1,
                                 **filters)
    page, following = page_of(PAGES, rows, limit, lambda r: (r["name"], r["id"]))
    response = jsonify({"type": "FeatureCollection",
                        "features": [row["feature"] for row in page],
                        "numberReturned": len(page),
                        "links": links(following, GEOJSON)})
    response.mimetype = "application/geo+json"
    return response


@blp.route("/<uuid:facility_id>", methods=["GET"])
@access.access(READ)
@blp.doc(responses=docs.ONE)
def get_facility(facility_id):
    """One facility as a GeoJSON Feature."""
    service.get(facility_id)
    return _feature_response(facility_id)


@blp.route("", methods=["POST"])
@access.access(WRITE)
@blp.arguments(FacilityInSchema)
@blp.doc(responses=docs.CREATED)
def create_facility(data):
    """Add a facility to the registry."""
    facility = service.create(data, current_principal())
    return _feature_response(facility.id, 201)


@blp.route("/<uuid:facility_id>", methods=["PATCH"])
@access.access(WRITE)
@blp.arguments(FacilityPatchSchema(partial=True))
@blp.doc(responses=docs.ONE)
def update_facility(data, facility_id):
    """Change some fields of a facility."""
    service.update(facility_id, data, current_principal())
    return _feature_response(facility_id)


@blp.route("/<uuid:facility_id>/close", methods=["POST"])
@access.access(WRITE)
@blp.arguments(CloseSchema)
@blp.doc(responses=docs.ONE)
def close_facility(data, facility_id):
    """Mark a facility closed, with the reason (it stays in the registry and its history)."""
    service.close(facility_id, data["reason"], current_principal())
    return _feature_response(facility_id)
