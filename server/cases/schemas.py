"""What may come in (cases, keys, casework); bodies going out are built in service/store."""
from __future__ import annotations

from marshmallow import fields, validate

from ..core.pagination import CursorField
from ..core.validation import StrictSchema
from . import vocabulary

B64 = validate.Regexp(r"^[A-Za-z0-9+/]+={0,2}$", error="Must be base64 text.")
SEALED_NAME = validate.Regexp(r"^p[0-9]{1,2}$", error="Sealed photo names are p1, p2, ...")


class KeySchema(StrictSchema):
    public_key = fields.String(required=True, validate=[validate.Length(max=2000), B64])
    wrapped = fields.String(required=True, validate=validate.Length(max=20000))
    recovery_wrapped = fields.String(required=True, validate=validate.Length(max=20000))


class HolderSchema(StrictSchema):
    user_id = fields.UUID(required=True)
    wrapped = fields.String(required=True, validate=validate.Length(max=20000))


class CaseSchema(StrictSchema):
    """A sealed case as the phone sends it: triage fields in clear, the rest sealed."""
    id = fields.UUID(required=True)
    form_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    form_version = fields.String(allow_none=True, validate=validate.Length(max=40))
    facility_id = fields.UUID(allow_none=True)
    occurred_on = fields.Date(allow_none=True)
    urgency = fields.String(required=True, validate=validate.OneOf(vocabulary.URGENCIES))
    key_fingerprint = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    wrapped_key = fields.String(required=True, validate=[validate.Length(max=1200), B64])
    envelope = fields.String(required=True, validate=validate.Length(max=200_000))
    photos = fields.List(fields.String(validate=SEALED_NAME), load_default=list)
    # A person at risk met during a visit: the visit report's id (the visit form's sealed group).
    visit_id = fields.UUID(allow_none=True, load_default=None)


class PageArgs(StrictSchema):
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=500))
    cursor = CursorField()


class QueueArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(vocabulary.STATUSES))


class StatusSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(("assessed", "closed")))


class AssignSchema(StrictSchema):
    user_id = fields.UUID(required=True, allow_none=True)


class TriageSchema(StrictSchema):
    facility_id = fields.UUID(allow_none=True)
    occurred_on = fields.Date(allow_none=True)
    urgency = fields.String(required=True, validate=validate.OneOf(vocabulary.URGENCIES))


class ReferralSchema(StrictSchema):
    to_organisation_id = fields.UUID(required=True)
    to_key_id = fields.UUID(required=True)
    wrapped_key = fields.String(required=True, validate=[validate.Length(max=1200), B64])
    wrapped_signature = fields.String(validate=[validate.Length(max=1200), B64])


class OutcomeSchema(StrictSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(vocabulary.OUTCOMES))
