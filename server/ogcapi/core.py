"""OGC API – Features (Part 1: Core, GeoJSON, OpenAPI 3.0), without a web framework.

Like pygeoapi's API core, every handler takes what it needs of the request and returns
(headers, status, content); server/ogcapi/routes.py binds them to Flask. Unlike pygeoapi, a page
never counts the whole match (`numberMatched` is omitted) and features come out of PostgreSQL
as finished GeoJSON text.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlencode

from marshmallow import ValidationError, fields, validate
from sqlalchemy.orm import Session

from ..core.access import Principal
from ..core.errors import BadRequest, Forbidden, NotFound
from ..core.pagination import CursorField
from ..core.validation import BBox, CountryCode, StrictSchema
from ..partner import geojson, service
from ..partner.schemas import Interval, TypeList, filters_from
from . import openapi
from .collections import COLLECTIONS, CRS84, Collection

JSON = "application/json"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
DEFAULT_LIMIT, MAX_LIMIT = 100, 10_000
Response = tuple[dict, int, bytes]


@dataclass
class Request:
    root: str  # absolute URL of the landing page, without a trailing slash
    args: list[tuple[str, str]]  # query parameters in order (repeats kept)
    principal: Principal
    session: Session

    def url(self, path: str = "", **replace) -> str:
        args = [(k, v) for k, v in self.args if k not in replace]
        args += [(k, v) for k, v in replace.items() if v is not None]
        return self.root + path + ("?" + urlencode(args) if args else "")


class FormatArgs(StrictSchema):
    f = fields.String(validate=validate.OneOf(["json", "geojson", "application/json",
                                               "application/geo+json"]))


class ItemsArgs(FormatArgs):
    bbox = BBox()
    datetime = Interval()
    limit = fields.Integer(load_default=DEFAULT_LIMIT,
                           validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = CursorField()
    type = TypeList()
    country = CountryCode()
    facility_id = fields.UUID()


def _json(body, media_type: str = JSON, status: int = 200, **headers) -> Response:
    return ({"Content-Type": media_type, **headers}, status,
            json.dumps(body, separators=(",", ":"), default=str).encode())


def _load(schema: StrictSchema, req: Request) -> dict:
    """Query parameters as the schema reads them; 400 naming the parameter otherwise (OGC asks
    for 400 on unknown or invalid parameters)."""
    raw: dict = {}
    for key, value in req.args:
        if key in raw:
            raise BadRequest(f"{key}: give this parameter once.", {key: ["Given more than once."]})
        raw[key] = value
    try:
        return schema.load(raw)
    except ValidationError as exc:
        messages = {k: v if isinstance(v, list) else [str(v)] for k, v in exc.messages.items()}
        detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in messages.items())
        raise BadRequest(detail, messages)


def _collection(req: Request, collection_id: str) -> Collection:
    collection = COLLECTIONS.get(collection_id)
    if collection is None:
        raise NotFound(f"No collection {collection_id!r}; see {req.root}/collections.")
    if collection.scope not in req.principal.scopes:
        raise Forbidden(f"The collection {collection_id} needs a key with scope "
                        f"{collection.scope}.")
    return collection


def landing(req: Request) -> Response:
    _load(FormatArgs(), req)
    return _json({
        "title": "Nezarat — OGC API – Features",
        "description": "Verified incidents and the facility registry of an independent "
                       "border and detention monitoring coalition, for partner organisations. "
                       "Use your partner key as a Bearer token or as the password of HTTP Basic "
                       "authentication.",
        "links": [
            {"rel": "self", "type": JSON, "title": "This document", "href": req.root},
            {"rel": "service-desc", "type": OPENAPI, "title": "The API definition",
             "href": req.root + "/api"},
            {"rel": "conformance", "type": JSON, "title": "Conformance classes",
             "href": req.root + "/conformance"},
            {"rel": "data", "type": JSON, "title": "Collections",
             "href": req.root + "/collections"}]})


def conformance(req: Request) -> Response:
    _load(FormatArgs(), req)
    return _json({"conformsTo": CONFORMANCE})


def api_document(req: Request) -> Response:
    _load(FormatArgs(), req)
    return _json(openapi.document(req.root, COLLECTIONS, MAX_LIMIT, DEFAULT_LIMIT), OPENAPI)


def _describe(req: Request, collection: Collection) -> dict:
    base = f"{req.root}/collections/{collection.id}"
    temporal = [[None, None]]
    return {
        "id": collection.id, "title": collection.title, "description": collection.description,
        "itemType": "feature", "crs": [CRS84], "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [collection.extent(req.session)], "crs": CRS84},
                   **({"temporal": {"interval": temporal,
                                    "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}}
                      if collection.temporal else {})},
        "links": [{"rel": "self", "type": JSON, "href": base},
                  {"rel": "items", "type": GEOJSON, "title": collection.title,
                   "href": base + "/items"}]}


def collections(req: Request) -> Response:
    _load(FormatArgs(), req)
    visible = [c for c in COLLECTIONS.values() if c.scope in req.principal.scopes]
    return _json({"links": [{"rel": "self", "type": JSON, "href": req.root + "/collections"}],
                  "collections": [_describe(req, c) for c in visible]})


def collection(req: Request, collection_id: str) -> Response:
    _load(FormatArgs(), req)
    return _json(_describe(req, _collection(req, collection_id)))


def items(req: Request, collection_id: str) -> Response:
    found = _collection(req, collection_id)
    args = _load(ItemsArgs(), req)
    if args.get("facility_id"):
        args["facility"] = args.pop("facility_id")
    page = found.read_page(req.session, req.principal, filters_from(args), args.get("cursor"),
                           args["limit"])
    links = [{"rel": "self", "type": GEOJSON, "href": req.url(f"/collections/{found.id}/items")},
             {"rel": "collection", "type": JSON, "href": f"{req.root}/collections/{found.id}"}]
    if page.next_cursor:
        links.append({"rel": "next", "type": GEOJSON, "title": "Next page",
                      "href": req.url(f"/collections/{found.id}/items",
                                      cursor=page.next_cursor)})
    body = geojson.collection(
        page.features, numberReturned=page.count, links=links,
        timeStamp=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    etag = geojson.weak_etag(*page.etag_basis, bool(page.next_cursor), page.features)
    _audit(req, f"partner.ogc.{found.id}", page.count)
    return {"Content-Type": GEOJSON, "ETag": etag, "Cache-Control": "private, no-cache"}, 200, body


def item(req: Request, collection_id: str, feature_id: str) -> Response:
    found = _collection(req, collection_id)
    _load(FormatArgs(), req)
    feature = found.read_one(req.session, req.principal, feature_id)
    if feature is None:
        raise NotFound(f"No feature {feature_id} in {collection_id}, or not shared with you.")
    body = feature[:-1] + ',"links":' + json.dumps([
        {"rel": "self", "type": GEOJSON,
         "href": f"{req.root}/collections/{found.id}/items/{feature_id}"},
        {"rel": "collection", "type": JSON, "href": f"{req.root}/collections/{found.id}"}]) + "}"
    _audit(req, f"partner.ogc.{found.id}", 1, feature_id=feature_id)
    return {"Content-Type": GEOJSON}, 200, body.encode()


def _audit(req: Request, action: str, rows: int, **details) -> None:
    service.record_call(req.session, req.principal, action, dict(req.args), rows, commit=True,
                        **details)
