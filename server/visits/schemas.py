"""A visit report as it comes in: the JSON API body, and what the OpenRosa adapter produces."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marshmallow import ValidationError, fields, validate, validates_schema

from ..assessment.vocabulary import COVERAGE, EVIDENCE_KINDS, INSUFFICIENT, RATINGS, STATES
from ..core.geometry import GeoJSONGeometry
from ..core.validation import Scalar, StrictSchema, Text, Timestamp
from ..incidents.schemas import IncidentInSchema
from .models import ACCESS

FUTURE_TOLERANCE = timedelta(minutes=10)  # phone clocks drift
COUNT = dict(allow_none=True, strict=True,
             validate=validate.Range(min=0, max=1_000_000, error="Must be a count of 0 or more."))


class HeldSchema(StrictSchema):
    women = fields.Integer(**COUNT)
    men = fields.Integer(**COUNT)
    girls = fields.Integer(**COUNT)
    boys = fields.Integer(**COUNT)
    unaccompanied = fields.Integer(**COUNT)


def _rating(value) -> None:
    # bool is an int to Python: True is not the rating 1
    if isinstance(value, bool) or value not in (*RATINGS, INSUFFICIENT):
        raise ValidationError("1, 2, 3, 4 or insufficient_evidence.")


class DimensionSchema(StrictSchema):
    # one enum of mixed types is more than a typed client can read: a number or the word
    rating = fields.Raw(required=True, validate=_rating, metadata={
        "oneOf": [{"type": "integer", "enum": list(RATINGS)},
                  {"type": "string", "enum": [INSUFFICIENT]}],
        "description": "4 good, 3 reasonably good, 2 not sufficiently good, 1 poor; or "
                       "insufficient_evidence"})
    coverage = fields.String(required=True, validate=validate.OneOf(COVERAGE))
    evidence = fields.List(fields.String(validate=validate.OneOf(EVIDENCE_KINDS)),
                           load_default=list)

    @validates_schema
    def _evidence(self, data, **kwargs):
        if data.get("rating") in RATINGS and not data.get("evidence"):
            raise ValidationError("A rating needs the kinds of evidence behind it.", "evidence")


class AssessmentSchema(StrictSchema):
    safety_treatment = fields.Nested(DimensionSchema, allow_none=True)
    legal_protection = fields.Nested(DimensionSchema, allow_none=True)
    material_conditions = fields.Nested(DimensionSchema, allow_none=True)
    return_reception = fields.Nested(DimensionSchema, allow_none=True)


YES_NO_UNKNOWN = dict(allow_none=True, validate=validate.OneOf(("yes", "no", "unknown")))


class ReturneeGroupSchema(StrictSchema):
    """One group of people interviewed on arrival: counts and facts, never names."""
    state_responsible = fields.String(required=True, validate=validate.OneOf(STATES))
    people = fields.Integer(**COUNT)
    women = fields.Integer(**COUNT)
    children = fields.Integer(**COUNT)
    at_risk = fields.Integer(**COUNT, metadata={"description": "people with an at-risk profile"})
    return_kind = fields.String(allow_none=True, validate=validate.OneOf(
        ("deported", "pressured_voluntary", "voluntary", "unknown")))
    held_before = fields.String(allow_none=True, validate=validate.OneOf(
        ("none", "police_station", "holding_centre", "detention_centre", "other", "unknown")))
    days_held = fields.Integer(**COUNT)
    documents_taken = fields.String(**YES_NO_UNKNOWN)
    fees_charged = fields.String(**YES_NO_UNKNOWN)
    wages_or_property_left = fields.String(**YES_NO_UNKNOWN)
    family_left_behind = fields.String(**YES_NO_UNKNOWN)
    night_arrival = fields.String(**YES_NO_UNKNOWN)
    transport_harsh = fields.String(**YES_NO_UNKNOWN)
    signed_return_form = fields.String(**YES_NO_UNKNOWN)
    asylum_refused = fields.String(**YES_NO_UNKNOWN)
    force_alleged = fields.String(**YES_NO_UNKNOWN)
    interview_private = fields.String(**YES_NO_UNKNOWN)
    reprisal_risk = fields.String(**YES_NO_UNKNOWN, metadata={
        "description": "whether the people interviewed could face reprisals for talking"})


class ReportSchema(StrictSchema):
    id = fields.UUID(required=True, metadata={
        "description": "Made on the device; a retried upload with the same id is stored once"})
    deprecated_id = fields.UUID(allow_none=True, metadata={
        "description": "The id of the version this report edits"})
    form_id = Text(100, allow_none=True)
    form_version = Text(100, allow_none=True)
    facility_id = fields.UUID(required=True)
    started_at = Timestamp(required=True, default_timezone=timezone.utc)
    ended_at = Timestamp(required=True, default_timezone=timezone.utc)
    position = GeoJSONGeometry("Point", allow_none=True)
    position_accuracy_m = fields.Float(allow_none=True, validate=validate.Range(min=0, max=1e6))
    access = fields.String(required=True, validate=validate.OneOf(ACCESS))
    access_denied_reason = Text(2000, allow_none=True)
    held = fields.Nested(HeldSchema, load_default=dict)
    room_area_m2 = fields.Float(allow_none=True, validate=validate.Range(min=0, max=1e6))
    observations = fields.Dict(keys=fields.String(validate=validate.Length(max=64)),
                               values=Scalar(allow_none=True), load_default=dict)
    notes = Text(20000, allow_none=True, metadata={"description": "Sensitive"})
    photos = fields.List(Text(255), load_default=list, validate=validate.Length(max=50))
    incidents = fields.List(fields.Nested(IncidentInSchema), load_default=list,
                            validate=validate.Length(max=100))
    assessment = fields.Nested(AssessmentSchema, load_default=dict, metadata={
        "description": "The monitor's ratings of the four dimensions; a dimension left out is "
                       "suggested from the indicators and marked derived"})
    returnees = fields.List(fields.Nested(ReturneeGroupSchema), load_default=list,
                            validate=validate.Length(max=50))
    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=500)), values=Text(20000),
        load_default=dict, validate=validate.Length(max=2000), metadata={
            "description": "Sensitive. The answers of a form published in the browser that no "
                           "field above takes, by element path under the form's root, repeat "
                           "entries numbered from 1 (household/member[2]/age); each path is "
                           "one the form's version keeps (GET /m/forms/<form>/fields.json)"})

    @validates_schema
    def _times(self, data, **kwargs):
        started, ended = data.get("started_at"), data.get("ended_at")
        now = datetime.now(timezone.utc)
        if started and started > now + FUTURE_TOLERANCE:
            raise ValidationError("Must not be in the future.", "started_at")
        if ended and ended > now + FUTURE_TOLERANCE:
            raise ValidationError("Must not be in the future.", "ended_at")
        if started and ended and ended < started:
            raise ValidationError("Must not be before started_at.", "ended_at")

    @validates_schema
    def _access_reason(self, data, **kwargs):
        if data.get("access") in ("partial", "denied") and not data.get("access_denied_reason"):
            raise ValidationError("Say why access was not full.", "access_denied_reason")
