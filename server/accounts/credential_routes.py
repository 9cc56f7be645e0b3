"""Device tokens (coordinators, for their monitors) and partner API keys (admins)."""
from __future__ import annotations

from flask import jsonify

from ..core import access
from ..core.access import current_principal
from ..core.http import Blueprint
from ..core.openapi import list_schema
from ..core.pagination import dumped
from . import credentials, odk, queries
from .schemas import (
    DeviceTokenCreatedSchema,
    DeviceTokenListArgs,
    DeviceTokenSchema,
    PartnerKeyCreatedSchema,
    PartnerKeyListArgs,
    PartnerKeySchema,
)

blp = Blueprint("credentials", __name__, url_prefix="/api",
                description="Device tokens for monitors' phones and API keys for partners. "
                            "Secrets are shown once, at creation, and stored only as hashes.")

MANAGE_DEVICES = access.role("coordinator", "admin")
ADMIN = access.role("admin")


@blp.route("/device-tokens", methods=["GET"])
@access.access(MANAGE_DEVICES)
@blp.arguments(DeviceTokenListArgs, location="query", as_kwargs=True)
@blp.alt_response(200, schema=list_schema(DeviceTokenSchema), success=True)
def list_device_tokens(limit, cursor=None, user_id=None):
    """Device tokens of your organisation (admins: all), newest first."""
    rows, following = queries.device_tokens(current_principal(), user_id=user_id, cursor=cursor,
                                            limit=limit)
    return jsonify(dumped(DeviceTokenSchema(many=True), rows, following))


@blp.route("/device-tokens", methods=["POST"])
@access.access(MANAGE_DEVICES)
@blp.arguments(DeviceTokenSchema)
@blp.response(201, DeviceTokenCreatedSchema)
@blp.alt_response(404, response="NOT_FOUND")
def create_device_token(data):
    """Create a token for a monitor's phone; the answer holds the token and its ODK QR code."""
    token, raw = credentials.create_device_token(current_principal(), data["user_id"],
                                                 data["label"], data["days"])
    settings, qr = odk.qr_code(raw)
    return {"device_token": token, "token": raw, "odk_settings": settings, "odk_qr_svg": qr,
            "server_url": odk.server_url(raw)}


@blp.route("/device-tokens/<uuid:token_id>/revoke", methods=["POST"])
@access.access(MANAGE_DEVICES)
@blp.response(200, DeviceTokenSchema)
def revoke_device_token(token_id):
    """Revoke a device token at once (a lost or seized phone)."""
    return credentials.revoke_device_token(current_principal(), token_id)


@blp.route("/partner-keys", methods=["GET"])
@access.access(ADMIN)
@blp.arguments(PartnerKeyListArgs, location="query", as_kwargs=True)
@blp.alt_response(200, schema=list_schema(PartnerKeySchema), success=True)
def list_partner_keys(limit, cursor=None, organisation_id=None):
    """Partner API keys, newest first."""
    rows, following = queries.partner_keys(organisation_id=organisation_id, cursor=cursor,
                                           limit=limit)
    return jsonify(dumped(PartnerKeySchema(many=True), rows, following))


@blp.route("/partner-keys", methods=["POST"])
@access.access(ADMIN)
@blp.arguments(PartnerKeySchema)
@blp.response(201, PartnerKeyCreatedSchema)
@blp.alt_response(404, response="NOT_FOUND")
def create_partner_key(data):
    """Create an API key for a partner organisation, limited to `scopes`."""
    key, raw = credentials.create_partner_key(current_principal(), data["organisation_id"],
                                              data["scopes"], data["label"], data["days"])
    return {"partner_key": key, "key": raw}


@blp.route("/partner-keys/<uuid:key_id>/revoke", methods=["POST"])
@access.access(ADMIN)
@blp.response(200, PartnerKeySchema)
def revoke_partner_key(key_id):
    """Revoke a partner key at once."""
    return credentials.revoke_partner_key(current_principal(), key_id)
