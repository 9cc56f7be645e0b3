"""OpenAPI descriptions of the facility responses (GeoJSON built in SQL, queries.FEATURE_SQL)."""
from __future__ import annotations

from ..core.openapi import GEOJSON, ok
from .models import KINDS, STATUSES

_STR = {"type": "string"}
POINT = {"type": "object", "required": ["type", "coordinates"], "properties": {
    "type": {"type": "string", "enum": ["Point"]},
    "coordinates": {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "number"}}}}
FEATURE = {
    "type": "object", "required": ["type", "id", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string", "format": "uuid"},
        "geometry": POINT,
        "properties": {"type": "object", "required": ["kind", "name", "country", "status"],
                       "description": "Fields without a value are left out",
                       "properties": {
            "kind": {"type": "string", "enum": list(KINDS)}, "name": _STR,
            "local_names": {"type": "object", "properties": {
                lang: _STR for lang in ("prs", "pus", "fas", "urd")}},
            "country": {"type": "string", "pattern": "^[A-Z]{3}$"}, "admin1": _STR,
            "location_precision": _STR,
            "footprint": {"type": "object", "description": "A GeoJSON Polygon"},
            "capacity": {"type": "integer", "minimum": 0}, "authority": _STR,
            "description": _STR, "source_url": _STR,
            "status": {"type": "string", "enum": list(STATUSES)}, "closed_reason": _STR,
            "demo": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"}}}}}
LINK = {"type": "object", "required": ["rel", "href"], "properties": {
    "rel": _STR, "type": _STR, "href": _STR}}
COLLECTION = {"type": "object", "required": ["type", "features", "numberReturned", "links"],
              "properties": {
                  "type": {"type": "string", "enum": ["FeatureCollection"]},
                  "features": {"type": "array", "items": FEATURE},
                  "numberReturned": {"type": "integer", "minimum": 0},
                  "links": {"type": "array", "items": LINK,
                            "description": "`next` while more remain"}}}

LIST = ok(GEOJSON, COLLECTION, "A page of facilities (GeoJSON FeatureCollection)")
ONE = ok(GEOJSON, FEATURE, "The facility (GeoJSON Feature)")
CREATED = ok(GEOJSON, FEATURE, "The created facility (GeoJSON Feature)", 201)
