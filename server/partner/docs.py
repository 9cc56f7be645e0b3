"""OpenAPI descriptions and examples of the partner responses (they are built in SQL, not by a
marshmallow schema, so their shape is written down here)."""
from __future__ import annotations

from .exports import HXL
from .policy import SHARED_FIELDS

EXAMPLE_FEATURE = {
    "type": "Feature", "id": "6f1c2c3e-58f4-4b8e-9a57-3f1f7c2d9e61",
    "geometry": {"type": "Point", "coordinates": [71.08472, 34.11472]},
    "properties": {
        "type": "forced_return", "occurred_on": "2025-07-04", "date_precision": "exact",
        "country": "AFG", "admin1": "Nangarhar",
        "facility_id": "2b0c8f4e-3a55-4f57-b3a8-1d3f6c1c2e10", "facility_name": "Torkham",
        "location_precision": "facility", "affected_women": "<5", "affected_men": 12,
        "affected_girls": 0, "affected_boys": 0, "affected_unaccompanied": 0,
        "affected_total": None, "severity": 3, "perpetrator": "border_police",
        "state_responsible": "iran",
        "source_type": "direct_observation", "verification_status": "verified",
        "updated_at": "2025-07-06T10:21:07.000000Z"}}
EXAMPLE_TOMBSTONE = {"type": "Feature", "id": "0b7c7f0e-4c1a-4b8e-9a57-3f1f7c2d9e61",
                     "geometry": None, "properties": {"deleted": True}}

COUNT_SCHEMA = {"oneOf": [{"type": "integer", "minimum": 0},
                          {"type": "string", "pattern": "^<[0-9]+$"}],
                "nullable": True,
                "description": "A count; \"<k\" when between 1 and k-1 (k from the policy); "
                               "null when not known, withheld, or (the total) when it would "
                               "give a suppressed count away. affected_total is the sum of the "
                               "known counts of women, men, girls and boys: at least that many "
                               "when one of them is null"}
PROPERTY_SCHEMAS = {
    name: (COUNT_SCHEMA if name.startswith("affected_")
           else {"type": "integer", "nullable": True} if name == "severity"
           else {"type": "string", "nullable": True})
    for name in SHARED_FIELDS}
FEATURE_SCHEMA = {
    "type": "object", "required": ["type", "id", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string", "format": "uuid"},
        "geometry": {"type": "object", "nullable": True,
                     "description": "A GeoJSON Point at the precision of your policy; null when "
                                    "only the admin-1 area or country may be shared"},
        "properties": {"type": "object", "properties": {
            **PROPERTY_SCHEMAS,
            "deleted": {"type": "boolean", "description": "Only in tombstones"}}}}}
LINK_SCHEMA = {"type": "object", "properties": {"rel": {"type": "string"},
                                                "type": {"type": "string"},
                                                "href": {"type": "string"}}}

FEED_RESPONSES = {"200": {
    "description": "A page of the feed: a GeoJSON FeatureCollection with `links` (`next` while "
                   "the pass goes on, `sync` at its end) and `sync.updated_since` to keep. "
                   "ETag / If-None-Match (304) and gzip are supported.",
    "content": {"application/geo+json": {
        "schema": {"type": "object", "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": FEATURE_SCHEMA},
            "numberReturned": {"type": "integer"},
            "links": {"type": "array", "items": LINK_SCHEMA},
            "sync": {"type": "object", "properties": {
                "updated_since": {"type": "string", "format": "date-time"},
                "complete": {"type": "boolean"},
                "policy_version": {"type": "integer"}}}}},
        "example": {
            "type": "FeatureCollection", "features": [EXAMPLE_FEATURE, EXAMPLE_TOMBSTONE],
            "numberReturned": 2,
            "links": [{"rel": "sync", "type": "application/geo+json",
                       "href": "https://nezarat.example/api/partner/v1/incidents?"
                               "updated_since=2025-08-01T00:00:00+00:00"}],
            "sync": {"updated_since": "2025-08-01T00:00:00+00:00", "complete": True,
                     "policy_version": 3}}}}},
    "304": {"description": "Nothing changed since the ETag you sent"}}

GEOJSON_EXPORT_RESPONSES = {"200": {
    "description": "A GeoJSON FeatureCollection (RFC 7946) of every shared incident, streamed "
                   "(one feature per line)",
    "content": {"application/geo+json": {
        "schema": {"type": "object", "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": FEATURE_SCHEMA}}},
        "example": {"type": "FeatureCollection", "features": [EXAMPLE_FEATURE]}}}}}

CSV_EXAMPLE = (",".join(HXL) + "\n" + ",".join(HXL.values()) + "\n"
               "6f1c2c3e-58f4-4b8e-9a57-3f1f7c2d9e61,forced_return,verified,2025-07-04,exact,"
               "34.114720,71.084720,AFG,Nangarhar,2b0c8f4e-3a55-4f57-b3a8-1d3f6c1c2e10,Torkham,"
               "facility,<5,12,0,0,0,,3,border_police,direct_observation,"
               "2025-07-06T10:21:07.000000Z\n")
CSV_EXPORT_RESPONSES = {"200": {
    "description": "CSV (RFC 4180): column names, then the HXL hashtag row, then one row per "
                   "shared incident, streamed",
    "content": {"text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE}}}}
