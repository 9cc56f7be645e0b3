"""GeoJSON geometry in and out, checked with Shapely."""
from __future__ import annotations

from geoalchemy2.shape import from_shape, to_shape
from marshmallow import ValidationError, fields
from shapely import validation
from shapely.geometry import mapping, shape

SRID = 4326


def check_geojson(value, allowed: tuple[str, ...]):
    """Shapely geometry from a GeoJSON dict, or ValidationError naming the rule broken."""
    if not isinstance(value, dict) or "type" not in value or "coordinates" not in value:
        raise ValidationError("Must be a GeoJSON geometry object with type and coordinates.")
    if value["type"] not in allowed:
        raise ValidationError(f"Must be a GeoJSON {' or '.join(allowed)}, not {value['type']!r}.")
    try:
        geom = shape(value)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise ValidationError(f"Coordinates are malformed: {exc}.")
    if geom.is_empty:
        raise ValidationError("Geometry is empty.")
    minx, miny, maxx, maxy = geom.bounds
    if minx < -180 or maxx > 180:
        raise ValidationError("Longitude must be between -180 and 180.")
    if miny < -90 or maxy > 90:
        raise ValidationError("Latitude must be between -90 and 90.")
    if geom.has_z:
        raise ValidationError("Only 2D coordinates [longitude, latitude] are accepted.")
    if not geom.is_valid:
        raise ValidationError(f"Geometry is not valid: {validation.explain_validity(geom)}.")
    return geom


class GeoJSONGeometry(fields.Field):
    """A GeoJSON geometry <-> a GeoAlchemy2 WKB element in EPSG:4326."""

    def __init__(self, *types: str, **kwargs):
        self.types = types or ("Point",)
        kwargs.setdefault("metadata", {}).update(
            {"type": "object", "description": f"GeoJSON {' or '.join(self.types)} (EPSG:4326)"})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return from_shape(check_geojson(value, self.types), srid=SRID)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return mapping(to_shape(value))
