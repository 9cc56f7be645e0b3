"""What an incident may look like when it comes in (from a form or the JSON API)."""
from __future__ import annotations

from datetime import date

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from ..core.geometry import GeoJSONGeometry
from ..core.validation import StrictSchema, Text
from . import taxonomy

# A count left out or null is "not known" (issue 15): stored as NULL, never as 0.
COUNT = dict(allow_none=True,
             validate=validate.Range(min=0, max=100_000,
                                     error="Must be a count between 0 and 100000."),
             metadata={"description": "null or left out: not known (never read as 0)"})


class AffectedSchema(StrictSchema):
    """People affected. A count not known is null; the total (in what is read back) is the sum
    of the known counts, so "at least" when one is null, and null when none is known."""
    women = fields.Integer(strict=True, **COUNT)
    men = fields.Integer(strict=True, **COUNT)
    girls = fields.Integer(strict=True, **COUNT)
    boys = fields.Integer(strict=True, **COUNT)
    unaccompanied = fields.Integer(strict=True, **COUNT)


class IncidentInSchema(StrictSchema):
    type = fields.String(required=True,
                         validate=lambda v: _one_of(v, taxonomy.incident_types(), "type"),
                         metadata={"enum": list(taxonomy.incident_types())})
    occurred_on = fields.Date(required=True, metadata={"example": "2025-07-04"})
    date_precision = fields.String(load_default="exact",
                                   validate=validate.OneOf(taxonomy.DATE_PRECISIONS))
    location_precision = fields.String(required=True,
                                       validate=validate.OneOf(taxonomy.LOCATION_PRECISIONS))
    position = GeoJSONGeometry("Point", allow_none=True, metadata={
        "description": "Where it happened; required when location_precision is exact"})
    affected = fields.Nested(AffectedSchema, load_default=dict)
    profiles = fields.Dict(keys=fields.String(validate=validate.OneOf(taxonomy.PROFILES)),
                           values=fields.Integer(strict=True, validate=validate.Range(min=0)),
                           load_default=dict)
    perpetrator = fields.String(allow_none=True, validate=validate.OneOf(taxonomy.PERPETRATORS))
    state_responsible = fields.String(allow_none=True, validate=validate.OneOf(taxonomy.STATES),
                                      metadata={"description": (
        "The state responsible for what happened. When not given: the state of the country "
        "where it happened for Iran and Pakistan, `unknown` in Afghanistan (what happens at an "
        "Afghan crossing is often what the deporting state did)")})
    source_type = fields.String(allow_none=True, validate=validate.OneOf(taxonomy.SOURCE_TYPES))
    consent = fields.String(load_default="internal_only", validate=validate.OneOf(taxonomy.CONSENT))
    severity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    follow_up = fields.Boolean(load_default=False)
    narrative = Text(20000, allow_none=True, metadata={"description": "Sensitive"})
    photos = fields.List(Text(255), load_default=list, validate=validate.Length(max=20))

    @validates("occurred_on")
    def _not_future(self, value: date, **kwargs):
        if value > date.today():
            raise ValidationError("Must not be in the future.")

    @validates_schema
    def _exact_needs_position(self, data, **kwargs):
        if data.get("location_precision") == "exact" and not data.get("position"):
            raise ValidationError("An exact location needs a position.", "position")


def _one_of(value, allowed, name):
    if value not in allowed:
        raise ValidationError(f"Unknown {name} {value!r}; one of: {', '.join(allowed)}.")
