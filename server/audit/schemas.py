"""Filters and the shape of audit entries."""
from __future__ import annotations

from marshmallow import fields, validate

from ..core.pagination import CursorField
from ..core.validation import StrictSchema, Text, Timestamp


class AuditFilterSchema(StrictSchema):
    action = Text(64, metadata={"description": "An action, or a family ending in * (auth.*)",
                                "example": "auth.*"})
    actor_id = fields.UUID()
    organisation_id = fields.UUID()
    target_type = Text(32, metadata={"example": "user"})
    target_id = Text(64)
    since = Timestamp(default_timezone=None, metadata={"description": "inclusive"})
    until = Timestamp(default_timezone=None, metadata={"description": "exclusive"})


class AuditListArgs(AuditFilterSchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    cursor = CursorField()


class AuditEntrySchema(StrictSchema):
    seq = fields.Integer()
    occurred_at = fields.DateTime()
    actor_kind = fields.String()
    actor_id = fields.UUID(allow_none=True)
    organisation_id = fields.UUID(allow_none=True)
    action = fields.String()
    target_type = fields.String(allow_none=True)
    target_id = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    details = fields.Dict()
    hash = fields.String()


class VerificationSchema(StrictSchema):
    intact = fields.Boolean()
    checked = fields.Integer(metadata={"description": "Entries verified before any problem"})
    problem = fields.String(allow_none=True)
    head_seq = fields.Integer(allow_none=True)
    head_hash = fields.String(allow_none=True, metadata={
        "description": "Keep seq:hash somewhere else; `flask audit verify --anchor` checks it"})
