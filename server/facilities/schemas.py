"""What may come in and go out of the facility registry."""
from __future__ import annotations

from marshmallow import fields, validate

from ..core.geometry import GeoJSONGeometry
from ..core.pagination import CursorField
from ..core.validation import BBox, CountryCode, StrictSchema, Text
from .models import KINDS, STATUSES


class LocalNamesSchema(StrictSchema):
    prs = Text(200, metadata={"description": "Dari"})
    pus = Text(200, metadata={"description": "Pashto"})
    fas = Text(200, metadata={"description": "Farsi"})
    urd = Text(200, metadata={"description": "Urdu"})


class FacilityInSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    name = Text(200, required=True, metadata={"example": "Torkham"})
    local_names = fields.Nested(LocalNamesSchema)
    country = CountryCode(required=True)
    admin1 = Text(200, allow_none=True, metadata={"example": "Nangarhar"})
    location = GeoJSONGeometry("Point", required=True, metadata={
        "example": {"type": "Point", "coordinates": [71.08472, 34.11472]}})
    footprint = GeoJSONGeometry("Polygon", allow_none=True)
    location_precision = Text(500, allow_none=True)
    capacity = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10_000_000),
                              strict=True)
    authority = Text(200, allow_none=True)
    description = Text(4000, allow_none=True)
    source_url = fields.URL(allow_none=True, validate=validate.Length(max=1000),
                            schemes={"http", "https"})


class FacilityPatchSchema(FacilityInSchema):
    """Partial update: any subset of the fields."""

    class Meta(StrictSchema.Meta):
        pass


class CloseSchema(StrictSchema):
    reason = Text(1000, required=True, metadata={"example": "Camp dismantled in March"})


class FacilityListArgs(StrictSchema):
    bbox = BBox(metadata={"description": "minLon,minLat,maxLon,maxLat", "example": "60,29,72,38"})
    kind = fields.String(validate=validate.OneOf(KINDS))
    country = CountryCode()
    status = fields.String(validate=validate.OneOf(STATUSES))
    q = Text(200, metadata={"description": "Search every name field (English, Dari, Pashto, "
                                           "Farsi, Urdu)"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    cursor = CursorField()
    include_demo = fields.Boolean(load_default=True)


class FeatureSchema(StrictSchema):
    type = fields.Constant("Feature")
    id = fields.UUID()
    geometry = fields.Dict()
    properties = fields.Dict()


class FeatureCollectionSchema(StrictSchema):
    type = fields.Constant("FeatureCollection")
    features = fields.List(fields.Nested(FeatureSchema))
    links = fields.List(fields.Dict())
    numberReturned = fields.Integer()
