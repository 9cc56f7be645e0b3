"""The OpenAPI 3.0 definition of the OGC API (conformance class oas30), served at /ogc/api."""
from __future__ import annotations

from ..partner.docs import EXAMPLE_FEATURE, FEATURE_SCHEMA

JSON = "application/json"
GEOJSON = "application/geo+json"
LINK = {"type": "object", "required": ["href"], "properties": {
    "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
    "title": {"type": "string"}}}
PROBLEM = {"description": "An error (application/problem+json, RFC 9457)",
           "content": {"application/problem+json": {"schema": {"type": "object"}}}}
F_PARAM = {"name": "f", "in": "query", "required": False, "style": "form", "explode": False,
           "schema": {"type": "string", "enum": ["json", "geojson"]},
           "description": "Output format (JSON only)"}


def _param(name: str, description: str, schema: dict, **extra) -> dict:
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": False,
            "description": description, "schema": schema, **extra}


def _ok(description: str, media: str, schema: dict, example=None) -> dict:
    content = {"schema": schema}
    if example is not None:
        content["example"] = example
    return {"200": {"description": description, "content": {media: content}},
            "400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "429": PROBLEM}


def _items_params(max_limit: int, default_limit: int, temporal: bool) -> list[dict]:
    params = [
        _param("limit", "Features per page", {"type": "integer", "minimum": 1,
                                               "maximum": max_limit, "default": default_limit}),
        _param("bbox", "minLon,minLat,maxLon,maxLat (CRS84), applied to the shared locations",
               {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}),
        _param("cursor", "Opaque; follow the `next` link", {"type": "string"}),
        _param("country", "ISO 3166-1 alpha-3 code", {"type": "string"}),
        F_PARAM]
    if temporal:
        params += [
            _param("datetime", "When the incident occurred: an RFC 3339 date or date-time, or "
                               "an interval start/end with `..` for an open end",
                   {"type": "string"}),
            _param("type", "Incident type codes, comma-separated", {"type": "string"}),
            _param("facility_id", "Incidents shared at facility precision at this facility",
                   {"type": "string", "format": "uuid"})]
    return params


def document(root: str, collections: dict, max_limit: int, default_limit: int) -> dict:
    security = [{"bearer": []}, {"basic": []}]
    paths = {
        "/": {"get": {"operationId": "landingPage", "summary": "Landing page",
                      "tags": ["Capabilities"], "parameters": [F_PARAM],
                      "responses": _ok("Links to the API", JSON, {"type": "object"})}},
        "/conformance": {"get": {
            "operationId": "conformance", "summary": "Conformance classes",
            "tags": ["Capabilities"], "parameters": [F_PARAM],
            "responses": _ok("The conformance classes", JSON, {
                "type": "object", "properties": {"conformsTo": {
                    "type": "array", "items": {"type": "string"}}}})}},
        "/api": {"get": {"operationId": "apiDefinition", "summary": "This document",
                         "tags": ["Capabilities"], "parameters": [F_PARAM],
                         "responses": _ok("The API definition",
                                          "application/vnd.oai.openapi+json;version=3.0",
                                          {"type": "object"})}},
        "/collections": {"get": {
            "operationId": "collections", "summary": "The collections your key may read",
            "tags": ["Data"], "parameters": [F_PARAM], "security": security,
            "responses": _ok("Collections", JSON, {"type": "object", "properties": {
                "links": {"type": "array", "items": LINK},
                "collections": {"type": "array", "items": {"type": "object"}}}})}},
    }
    for cid, collection in collections.items():
        items_schema = {"type": "object", "required": ["type", "features"], "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": FEATURE_SCHEMA if cid == "incidents"
                         else {"type": "object"}},
            "links": {"type": "array", "items": LINK},
            "numberReturned": {"type": "integer", "minimum": 0},
            "timeStamp": {"type": "string", "format": "date-time"}}}
        example = ({"type": "FeatureCollection", "features": [EXAMPLE_FEATURE],
                    "numberReturned": 1, "links": []} if cid == "incidents" else None)
        base = f"/collections/{cid}"
        paths[base] = {"get": {
            "operationId": f"describe_{cid}", "summary": f"The {cid} collection",
            "tags": ["Data"], "parameters": [F_PARAM], "security": security,
            "responses": _ok("Collection metadata", JSON, {"type": "object"})}}
        paths[base + "/items"] = {"get": {
            "operationId": f"get_{cid}", "summary": f"{collection.title}, keyset-paginated",
            "description": collection.description, "tags": ["Data"],
            "parameters": _items_params(max_limit, default_limit, collection.temporal),
            "security": security,
            "responses": _ok("A page of features", GEOJSON, items_schema, example)}}
        paths[base + "/items/{featureId}"] = {"get": {
            "operationId": f"get_{cid}_feature", "summary": f"One of the {cid}",
            "tags": ["Data"], "security": security,
            "parameters": [{"name": "featureId", "in": "path", "required": True,
                            "schema": {"type": "string"}}, F_PARAM],
            "responses": _ok("A feature", GEOJSON, {"type": "object"})}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Nezarat OGC API – Features", "version": "1.0.0",
                 "description": "Partner access to shared incidents and the facility registry. "
                                "Authenticate with your partner key as a Bearer token or as the "
                                "password of HTTP Basic authentication (any user name)."},
        "servers": [{"url": root}],
        "tags": [{"name": "Capabilities"}, {"name": "Data"}],
        "paths": paths,
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "basic": {"type": "http", "scheme": "basic"}}},
    }
