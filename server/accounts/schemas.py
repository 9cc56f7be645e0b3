"""What may come in and go out of the accounts API."""
from __future__ import annotations

from datetime import datetime, timezone

from marshmallow import fields, validate

from ..core.pagination import CursorField
from ..core.validation import CountryCode, StrictSchema, Text, Timestamp
from .credentials import DEVICE_DAYS, PARTNER_DAYS, SCOPES
from .models import ROLES
from .passwords import MAX_LENGTH

KINDS = ("coalition_member", "partner")


class PageArgs(StrictSchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    cursor = CursorField()


class Email(fields.Email):
    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Length(max=254))
        kwargs.setdefault("metadata", {}).setdefault("example", "monitor@example.org")
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()


class UserSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    email = Email(required=True)
    name = Text(200, required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    organisation_id = fields.UUID(required=True)
    active = fields.Boolean(dump_only=True)
    two_factor_enabled = fields.Boolean(dump_only=True)
    last_sign_in_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class UserInSchema(UserSchema):
    password = fields.String(load_only=True, validate=validate.Length(max=MAX_LENGTH), metadata={
        "description": "Optional: without it, send the user the set-password link returned."})


class UserCreatedSchema(StrictSchema):
    user = fields.Nested(UserSchema)
    password_link = fields.String(allow_none=True, metadata={
        "description": "One-time link to set a password (when none was given); shown once."})


class UserPatchSchema(StrictSchema):
    name = Text(200)
    role = fields.String(validate=validate.OneOf(ROLES))
    organisation_id = fields.UUID()
    active = fields.Boolean()


class UserListArgs(PageArgs):
    organisation_id = fields.UUID()
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean()
    q = Text(200, metadata={"description": "Part of the email or name"})


class LinkSchema(StrictSchema):
    password_link = fields.String()
    expires_in_hours = fields.Integer()


class OrganisationSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    name = Text(200, required=True)
    short_name = Text(40, allow_none=True)
    kind = fields.String(load_default="coalition_member", validate=validate.OneOf(KINDS))
    country = CountryCode(allow_none=True)
    demo = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class OrganisationPatchSchema(OrganisationSchema):
    """Partial update: any subset of the fields."""

    class Meta(StrictSchema.Meta):
        pass


class OrganisationListArgs(PageArgs):
    kind = fields.String(validate=validate.OneOf(KINDS))


class _CredentialSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    label = Text(200, required=True, metadata={"example": "Samsung A12 of the Torkham team"})
    hint = fields.String(dump_only=True, metadata={"description": "First characters, to tell "
                                                                  "keys apart"})
    created_at = fields.DateTime(dump_only=True)
    expires_at = fields.DateTime(dump_only=True)
    revoked_at = fields.DateTime(dump_only=True, allow_none=True)
    last_used_at = fields.DateTime(dump_only=True, allow_none=True)
    status = fields.Method("_status", dump_only=True,
                           metadata={"enum": ["active", "expired", "revoked"]})

    def _status(self, obj):
        return obj.status(datetime.now(timezone.utc))


class DeviceTokenSchema(_CredentialSchema):
    user_id = fields.UUID(required=True, metadata={"description": "The monitor"})
    organisation_id = fields.UUID(dump_only=True)
    lost_at = fields.DateTime(dump_only=True, allow_none=True, metadata={
        "description": "Marked lost: revoked, and the phone erases itself if it calls again"})
    duress_at = fields.DateTime(dump_only=True, allow_none=True, metadata={
        "description": "The monitor entered the duress PIN: the phone erased itself"})
    days = fields.Integer(load_only=True, load_default=DEVICE_DAYS[0],
                          validate=validate.Range(min=1, max=DEVICE_DAYS[1]))


class DeviceTokenCreatedSchema(StrictSchema):
    device_token = fields.Nested(DeviceTokenSchema)
    token = fields.String(metadata={"description": "Shown once: stored only as a hash"})
    odk_settings = fields.String(metadata={
        "description": "ODK Collect settings (zlib + base64 JSON); the QR code encodes this"})
    odk_qr_svg = fields.String(metadata={"description": "The QR code as an SVG data URI"})
    server_url = fields.String(metadata={"description": "OpenRosa server URL with the token"})


class DeviceTokenListArgs(PageArgs):
    user_id = fields.UUID()


class PartnerKeySchema(_CredentialSchema):
    organisation_id = fields.UUID(required=True)
    scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)), required=True,
                         validate=validate.Length(min=1), metadata={"example": ["incidents:read"]})
    days = fields.Integer(load_only=True, load_default=PARTNER_DAYS[0],
                          validate=validate.Range(min=1, max=PARTNER_DAYS[1]))


class PartnerKeyCreatedSchema(StrictSchema):
    partner_key = fields.Nested(PartnerKeySchema)
    key = fields.String(metadata={"description": "Shown once: stored only as a hash"})


class PartnerKeyListArgs(PageArgs):
    organisation_id = fields.UUID()


class SessionSchema(StrictSchema):
    signed_in = fields.Boolean()
    pending_second_factor = fields.Boolean()
    csrf_token = fields.String(metadata={"description": "Send as X-CSRF-Token on writes"})
    kind = fields.String()
    user = fields.Nested(UserSchema, allow_none=True)


class PendingReportSchema(StrictSchema):
    """A report a phone still held at its last sync: its id and times, never its content."""
    id = fields.UUID(required=True)
    created_at = Timestamp(allow_none=True, load_default=None, default_timezone=timezone.utc)
    updated_at = Timestamp(allow_none=True, load_default=None, default_timezone=timezone.utc)


class CheckInSchema(StrictSchema):
    pending = fields.List(fields.Nested(PendingReportSchema), required=True,
                          validate=validate.Length(max=500))


class DuressSchema(StrictSchema):
    proof = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"), metadata={
        "description": "SHA-256 (hex) of the phone's device token"})
    pending = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=500))


class PendingOutSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    created_at = fields.String(dump_only=True, allow_none=True, metadata={"format": "date-time"})
    updated_at = fields.String(dump_only=True, allow_none=True, metadata={"format": "date-time"})


class DevicePendingSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    label = fields.String(dump_only=True)
    lost_at = fields.DateTime(dump_only=True, allow_none=True)
    duress_at = fields.DateTime(dump_only=True, allow_none=True)
    pending_at = fields.DateTime(dump_only=True, allow_none=True, metadata={
        "description": "When the phone last said what it held (null: never)"})
    pending = fields.Method("_pending", dump_only=True, metadata={
        "type": "array", "items": {"type": "object"}})

    def _pending(self, obj):
        return PendingOutSchema(many=True).dump(obj.pending or [])
