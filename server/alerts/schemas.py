"""What the alert API takes and gives."""
from __future__ import annotations

from marshmallow import fields, validate

from ..core.pagination import CursorField
from ..core.validation import StrictSchema
from .kinds import KINDS

EMAIL_MODES = ("off", "immediate", "hourly", "daily")


class NotificationListArgs(StrictSchema):
    unread = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = CursorField()


class RuleListArgs(StrictSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = CursorField()


class NotificationSchema(StrictSchema):
    id = fields.UUID()
    kind = fields.String()
    facility_id = fields.UUID(allow_none=True)
    summary = fields.Dict(metadata={"description": "Facility, its kind and region; for "
                                    "incidents their type and severity. Never a narrative, a "
                                    "name or a coordinate."})
    event_at = fields.DateTime()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class MarkReadSchema(StrictSchema):
    ids = fields.List(fields.UUID(), validate=validate.Length(max=500), load_default=None,
                      metadata={"description": "Omitted: every notification of yours."})


class RuleSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(tuple(KINDS)))
    params = fields.Dict(load_default=dict, metadata={
        "description": "incident: types, min_severity (1-5), facility_ids, countries, scope "
                       "(own | coalition); access_denied: facility_ids, countries, scope; "
                       "not_visited: days, facility_ids, countries; red_flag: codes, "
                       "facility_ids, countries, scope; rating_lower: dimensions, facility_ids, "
                       "countries, scope; case_urgent: urgencies (default immediate); "
                       "case_overdue: none (your organisation's cases)."})
    for_ = fields.String(data_key="for", load_default="person",
                         validate=validate.OneOf(("person", "organisation")))


class RuleOutSchema(StrictSchema):
    id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(tuple(KINDS)))
    params = fields.Dict(required=True)
    for_ = fields.String(data_key="for", required=True,
                         validate=validate.OneOf(("person", "organisation")))
    active = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)


class SettingsSchema(StrictSchema):
    email_mode = fields.String(required=True, validate=validate.OneOf(EMAIL_MODES))
