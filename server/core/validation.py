"""Field types and checks shared by every schema."""
from __future__ import annotations

from datetime import timezone

import pycountry
from marshmallow import RAISE, Schema, ValidationError, fields, validate


class StrictSchema(Schema):
    """Unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = RAISE


class Text(fields.String):
    """Trimmed text; blank is refused rather than stored."""

    def __init__(self, max_length: int = 200, **kwargs):
        kwargs.setdefault("validate", validate.Length(min=1, max=max_length))
        super().__init__(**kwargs)
        self.max_length = max_length

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        value = value.strip()
        if not value:
            raise ValidationError("Must not be empty or only spaces.")
        if "\x00" in value:
            raise ValidationError("Must not contain NUL characters.")
        return value


class Scalar(fields.Field):
    """One answer: a string, a number, true/false or null; never an object or a list (the
    scoring rules compare and hash answers, and a mapping where a number belongs broke them)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        raise ValidationError("Must be a single value (text, number, true/false or null), "
                              "not an object or a list.")


class Timestamp(fields.AwareDateTime):
    """A time a client sends: RFC 3339 with an offset (or `default_timezone`), and expressible
    in UTC. `9999-12-31T23:59:59-12:00` is in year 10000 in UTC and `0001-01-01T00:00:00+14:00`
    before year 1: Python cannot hold either, and every later `astimezone` or comparison with
    an aware time raised OverflowError (a 500)."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        try:
            value.astimezone(timezone.utc)
        except OverflowError:
            raise ValidationError("Must be a time between the years 1 and 9999 in UTC.")
        return value


def country_code(value: str) -> None:
    if not isinstance(value, str) or len(value) != 3 or not value.isupper() \
            or pycountry.countries.get(alpha_3=value) is None:
        raise ValidationError(f"{value!r} is not an ISO 3166-1 alpha-3 country code (e.g. AFG).")


class CountryCode(fields.String):
    def __init__(self, **kwargs):
        kwargs.setdefault("validate", country_code)
        kwargs.setdefault("metadata", {}).setdefault("example", "AFG")
        super().__init__(**kwargs)


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    """`minLon,minLat,maxLon,maxLat` (OGC / GeoJSON order) -> floats, checked."""
    parts = value.split(",")
    if len(parts) != 4:
        raise ValidationError("bbox must be minLon,minLat,maxLon,maxLat (four numbers).")
    try:
        minx, miny, maxx, maxy = (float(p) for p in parts)
    except ValueError:
        raise ValidationError("bbox must be four numbers separated by commas.")
    if not all(map(lambda v: v == v and abs(v) != float("inf"), (minx, miny, maxx, maxy))):
        raise ValidationError("bbox values must be finite numbers.")
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180):
        raise ValidationError("bbox longitudes must be between -180 and 180.")
    if not (-90 <= miny <= 90 and -90 <= maxy <= 90):
        raise ValidationError("bbox latitudes must be between -90 and 90.")
    if minx > maxx or miny > maxy:
        raise ValidationError("bbox minimum must not exceed its maximum.")
    return minx, miny, maxx, maxy


NUMBER = r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*"
BBOX_PATTERN = f"^{NUMBER}(,{NUMBER}){{3}}$"


class BBox(fields.String):
    """minLon,minLat,maxLon,maxLat: four numbers (the OpenAPI document says so by pattern)."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"pattern": BBOX_PATTERN, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return parse_bbox(super()._deserialize(value, attr, data, **kwargs))
