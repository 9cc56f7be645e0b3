"""What partners may ask for, and what an admin may set as a partner's sharing policy."""
from __future__ import annotations

from datetime import date, datetime

from marshmallow import ValidationError, fields, validate, validates_schema

from ..core.pagination import CursorField
from ..core.validation import BBox, CountryCode, StrictSchema, Text, Timestamp, country_code
from ..incidents import taxonomy
from .policy import OPTIONAL_FIELDS, PRECISIONS, SENSITIVE_PRECISIONS, STATUSES, Filters

MAX_PAGE = 10_000


def _day(text: str) -> date | None:
    text = text.strip()
    if text in ("", ".."):
        return None
    try:
        if "T" in text or " " in text:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{text!r} is not an RFC 3339 date or date-time.")


def parse_interval(text: str) -> tuple[date | None, date | None]:
    """OGC `datetime`: an instant, or `start/end` with `..` (or nothing) for an open end.
    Incidents carry a date, so times only select their day."""
    if "/" not in text:
        day = _day(text)
        if day is None:
            raise ValidationError("Give a date, a date-time or an interval start/end.")
        return day, day
    start_text, _, end_text = text.partition("/")
    start, end = _day(start_text), _day(end_text)
    if start and end and start > end:
        raise ValidationError("The interval starts after it ends.")
    return start, end


class Interval(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return parse_interval(super()._deserialize(value, attr, data, **kwargs))


class TypeList(fields.String):
    """Comma-separated incident type codes."""

    def _deserialize(self, value, attr, data, **kwargs):
        codes = tuple(c.strip() for c in super()._deserialize(value, attr, data, **kwargs)
                      .split(",") if c.strip())
        unknown = [c for c in codes if c not in taxonomy.incident_types()]
        if not codes or unknown:
            raise ValidationError(f"Unknown incident type {', '.join(unknown) or '(none)'}; "
                                  f"one of: {', '.join(taxonomy.incident_types())}.")
        return codes


class FilterArgs(StrictSchema):
    bbox = BBox(metadata={"description": "minLon,minLat,maxLon,maxLat (WGS 84), applied to the "
                                         "locations as shared", "example": "70,34,71,35"})
    datetime = Interval(metadata={
        "description": "When the incident occurred: a date, or an interval start/end with `..` "
                       "for an open end (RFC 3339)", "example": "2025-01-01/.."})
    type = TypeList(metadata={"description": "Incident type codes, comma-separated",
                              "example": "forced_return,pushback"})
    country = CountryCode()
    facility = fields.UUID(metadata={"description": "Facility id; matches only incidents shared "
                                                    "at facility precision or finer"})


def filters_from(args: dict) -> Filters:
    start, end = args.get("datetime") or (None, None)
    return Filters(bbox=args.get("bbox"), start=start, end=end, types=args.get("type"),
                   country=args.get("country"), facility_id=args.get("facility"))


class FeedArgs(FilterArgs):
    updated_since = Timestamp(metadata={
        "description": "The `sync.updated_since` of your previous complete sync: returns what "
                       "changed since, with tombstones for records to delete",
        "example": "2025-08-01T00:00:00Z"})
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=MAX_PAGE))
    cursor = CursorField()


class ExportArgs(FilterArgs):
    pass


class PolicySchema(StrictSchema):
    """A partner organisation's sharing policy (replaced as a whole)."""
    incident_types = fields.List(fields.String(validate=lambda v: _known_type(v)),
                                 allow_none=True, load_default=None,
                                 validate=validate.Length(min=1), metadata={
                                     "description": "Types it may receive; null for all"})
    statuses = fields.List(fields.String(validate=validate.OneOf(STATUSES)),
                           load_default=lambda: ["verified"], validate=validate.Length(min=1))
    location_precision = fields.String(load_default="admin1",
                                       validate=validate.OneOf(PRECISIONS))
    grid_km = fields.Float(allow_none=True, load_default=None,
                           validate=validate.Range(min=1, max=500),
                           metadata={"description": "Cell size when a precision is grid"})
    sensitive_types = fields.List(fields.String(validate=lambda v: _known_type(v)),
                                  load_default=lambda: ["sgbv", "self_harm"])
    sensitive_precision = fields.String(load_default="admin1",
                                        validate=validate.OneOf(SENSITIVE_PRECISIONS))
    small_count_k = fields.Integer(load_default=5, strict=True,
                                   validate=validate.Range(min=1, max=100))
    embargo_days = fields.Integer(load_default=0, strict=True,
                                  validate=validate.Range(min=0, max=3650))
    countries = fields.List(fields.String(validate=country_code), allow_none=True,
                            load_default=None, validate=validate.Length(min=1))
    withheld_fields = fields.List(fields.String(validate=validate.OneOf(OPTIONAL_FIELDS)),
                                  load_default=list)
    note = Text(2000, allow_none=True, load_default=None)

    @validates_schema
    def _grid_needs_size(self, data, **kwargs):
        if "grid" in (data.get("location_precision"), data.get("sensitive_precision")) \
                and not data.get("grid_km"):
            raise ValidationError("Set grid_km when a precision is grid.", "grid_km")


def _known_type(value: str) -> None:
    if value not in taxonomy.incident_types():
        raise ValidationError(f"Unknown incident type {value!r}.")


class PolicyOutSchema(PolicySchema):
    organisation_id = fields.UUID()
    version = fields.Integer(metadata={"description": "0 while the defaults apply"})
    changed_at = fields.String()
    is_default = fields.Boolean(dump_only=True, metadata={
        "description": "True while no policy was set (version 0)"})
