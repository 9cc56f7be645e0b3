"""Flask adapter of the OGC API core: build a core.Request, send back (headers, status, body).

The landing page, /conformance and /api are public: they hold no data, and OGC clients (GDAL,
QGIS, OWSLib, validators) read them to discover the service, often before they send credentials
— with credentials they work the same. Collections and features need a partner key; a 401
offers Basic as well as Bearer, so desktop GIS asks the user for the key.
"""
from __future__ import annotations

from flask import request

from ..core import access
from ..core.access import current_principal
from ..core.db import db
from ..core.http import Blueprint
from ..core.openapi import GEOJSON, JSON, ok
from ..core.urls import base_url
from ..partner import http
from ..partner.hooks import mark_audited
from . import core
from .openapi import LINK

blp = Blueprint("ogcapi", __name__, url_prefix="/ogc",
                description="OGC API – Features (Part 1: Core, GeoJSON, OpenAPI 3.0) for partner "
                            "keys; its own definition is at /ogc/api.")

CHALLENGE = 'Basic realm="nezarat-partner", Bearer realm="nezarat-partner"'
_LINKS = {"type": "array", "items": LINK}
LANDING = ok(JSON, {"type": "object", "required": ["links"], "properties": {
    "title": {"type": "string"}, "description": {"type": "string"}, "links": _LINKS}},
    "Links to the API definition, conformance and collections")
CONFORMANCE = ok(JSON, {"type": "object", "required": ["conformsTo"], "properties": {
    "conformsTo": {"type": "array", "items": {"type": "string"}}}}, "Conformance classes")
DEFINITION = ok(core.OPENAPI, {"type": "object"}, "The OpenAPI 3.0 document of the OGC API")
COLLECTION = {"type": "object", "required": ["id", "links"], "properties": {
    "id": {"type": "string"}, "title": {"type": "string"}, "links": _LINKS}}
COLLECTIONS = ok(JSON, {"type": "object", "required": ["links", "collections"], "properties": {
    "links": _LINKS, "collections": {"type": "array", "items": COLLECTION}}}, "Collections")
ITEMS = ok(GEOJSON, {"type": "object", "required": ["type", "features"], "properties": {
    "type": {"type": "string", "enum": ["FeatureCollection"]},
    "features": {"type": "array", "items": {"type": "object"}}, "links": _LINKS,
    "numberReturned": {"type": "integer", "minimum": 0}}}, "A page of features")
ITEM = ok(GEOJSON, {"type": "object", "required": ["type", "geometry", "properties"],
                    "properties": {"type": {"type": "string", "enum": ["Feature"]}}},
          "One feature")
SCOPES = frozenset({"incidents:read", "facilities:read"})
PARTNER = access.Rule("partner key with scope incidents:read or facilities:read",
                      lambda p: p.kind == "partner" and bool(SCOPES & p.scopes), CHALLENGE,
                      ("partner",))


def _request() -> core.Request:
    return core.Request(root=base_url() + "/ogc", args=list(request.args.items(multi=True)),
                        principal=current_principal(), session=db.session)


def _send(result: core.Response, audited: bool = False):
    headers, status, content = result
    if audited:
        mark_audited()
    return http.respond(content, status, headers)


@blp.route("", methods=["GET"])
@access.access(access.public)
@blp.doc(responses=LANDING, operationId="getOgcLanding")
def landing():
    """Landing page: links to the API definition, conformance and collections."""
    return _send(core.landing(_request()))


@blp.route("/", methods=["GET"], endpoint="landing_slash")
@access.access(access.public)
@blp.doc(responses=LANDING, operationId="getOgcLandingWithSlash")  # a name of its own
def landing_slash():
    """Landing page (with a trailing slash)."""
    return _send(core.landing(_request()))


@blp.route("/conformance", methods=["GET"])
@access.access(access.public)
@blp.doc(responses=CONFORMANCE)
def conformance():
    """The conformance classes this API implements."""
    return _send(core.conformance(_request()))


@blp.route("/api", methods=["GET"])
@access.access(access.public)
@blp.doc(responses=DEFINITION)
def api_document():
    """The OpenAPI 3.0 definition of this OGC API."""
    return _send(core.api_document(_request()))


@blp.route("/collections", methods=["GET"])
@access.access(PARTNER)
@blp.doc(responses=COLLECTIONS)
def collections():
    """The collections your key may read."""
    return _send(core.collections(_request()))


@blp.route("/collections/<collection_id>", methods=["GET"])
@access.access(PARTNER)
@blp.doc(responses=ok(JSON, COLLECTION, "One collection"))
def collection(collection_id):
    """One collection's metadata."""
    return _send(core.collection(_request(), collection_id))


@blp.route("/collections/<collection_id>/items", methods=["GET"])
@access.access(PARTNER)
@blp.doc(responses=ITEMS)
def items(collection_id):
    """A page of features (GeoJSON) with a `next` link; see /ogc/api for the parameters."""
    return _send(core.items(_request(), collection_id), audited=True)


@blp.route("/collections/<collection_id>/items/<feature_id>", methods=["GET"])
@access.access(PARTNER)
@blp.doc(responses=ITEM)
def item(collection_id, feature_id):
    """One feature."""
    return _send(core.item(_request(), collection_id, feature_id), audited=True)
