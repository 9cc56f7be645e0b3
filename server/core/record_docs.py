"""OpenAPI shapes shared by the JSON record APIs whose bodies are built in SQL (visits,
incidents): small JSON Schema builders, so each feature's docs stay a few lines."""
from __future__ import annotations


def nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


STR = {"type": "string"}
UUID = {"type": "string", "format": "uuid"}
TIME = {"type": "string", "format": "date-time"}
DATE = {"type": "string", "format": "date"}
INT = {"type": "integer"}
NUM = {"type": "number"}
BOOL = {"type": "boolean"}
OBJECT = {"type": "object"}
GEOMETRY = nullable({"type": "object", "description": "A GeoJSON Point",
                     "properties": {"type": STR, "coordinates": {
                         "type": "array", "items": NUM}}})
COUNTS = {"type": "object", "additionalProperties": nullable(INT)}
FLAGS = {"type": "array", "items": {"type": "object", "properties": {"code": STR}}}


def obj(required: tuple = (), **properties) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:  # OpenAPI 3.0: `required` may not be empty
        schema["required"] = list(required)
    return schema


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


PHOTO = obj(("id", "filename", "received"), id=UUID, filename=STR, media_type=nullable(STR),
            width=nullable(INT), height=nullable(INT), bytes=nullable(INT), received=BOOL,
            received_sha256=nullable(STR), captured_at=nullable(TIME))
