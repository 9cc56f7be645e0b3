"""Webhooks: a partner registers its own (partner key with incidents:read), the coalition's
admin any partner organisation's; both read the delivery log."""
from __future__ import annotations

import uuid

from flask import jsonify
from marshmallow import fields, validate

from ..core import access
from ..core.access import current_principal
from ..core.errors import ValidationFailed
from ..core.http import Blueprint
from ..core.openapi import JSON, list_json_schema, ok
from ..core.pagination import CursorField, Keyset, listing, page_of
from ..core.validation import StrictSchema
from . import service

blp = Blueprint("webhooks", __name__, url_prefix="/api/webhooks",
                description="Signed webhooks for partners: every change of the partner's feed "
                            "POSTed in order (see the README for the signature).")
PARTNER_OR_ADMIN = access.partner("incidents:read") | access.role("admin")
HOOK = {"type": "object", "required": ["id", "organisation_id", "url", "status",
                                        "disabled_reason", "created_at"], "properties": {
    "id": {"type": "string", "format": "uuid"},
    "organisation_id": {"type": "string", "format": "uuid"},
    "url": {"type": "string", "format": "uri"},
    "status": {"type": "string", "enum": ["active", "disabled"]},
    "disabled_reason": {"type": "string", "nullable": True},
    "created_at": {"type": "string", "format": "date-time"}}}
_WHEN = {"type": "string", "format": "date-time", "nullable": True}
DELIVERY = {"type": "object", "required": ["seq", "idempotency_id", "event", "incident_id",
                                           "status", "attempts", "created_at"], "properties": {
    "seq": {"type": "integer"}, "idempotency_id": {"type": "string", "format": "uuid"},
    "event": {"type": "string", "enum": ["incident.upsert", "incident.tombstone"]},
    "incident_id": {"type": "string", "format": "uuid"},
    "status": {"type": "string", "enum": ["pending", "delivered", "dead"]},
    "attempts": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"},
    "first_attempt_at": _WHEN, "last_attempt_at": _WHEN, "next_attempt_at": _WHEN,
    "last_status": {"type": "integer", "nullable": True},
    "last_error": {"type": "string", "nullable": True}, "delivered_at": _WHEN}}
HOOK_PAGES = Keyset("webhooks", "datetime", "uuid")
LOG_PAGES = Keyset("webhooks.deliveries", "int")


class HookIn(StrictSchema):
    url = fields.String(required=True, validate=validate.Length(max=2000))
    organisation_id = fields.UUID(metadata={"description": "Admins: the partner organisation."})


class LogArgs(StrictSchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    cursor = CursorField()


class ListArgs(StrictSchema):
    organisation_id = fields.UUID()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    cursor = CursorField()


def _organisation(given) -> uuid.UUID:
    principal = current_principal()
    if principal.kind == "partner":
        return principal.organisation_id
    if given is None:
        raise ValidationFailed.field("organisation_id", "Name the partner organisation.")
    return given


@blp.route("", methods=["POST"])
@access.access(PARTNER_OR_ADMIN)
@blp.arguments(HookIn, example={"url": "https://partner.example/nezarat-hook"})
@blp.doc(responses=ok(JSON, {**HOOK, "properties": {**HOOK["properties"],
                                                    "secret": {"type": "string"}}},
                      "The hook, with its secret (shown this once)", status=201))
def register(data):
    """Register an https URL; every change of your feed is POSTed to it, signed with the
    secret returned here (and never again)."""
    hook = service.register(current_principal(), _organisation(data.get("organisation_id")),
                            data["url"])
    return jsonify(hook), 201


@blp.route("", methods=["GET"])
@access.access(PARTNER_OR_ADMIN)
@blp.arguments(ListArgs, location="query")
@blp.doc(responses=ok(JSON, list_json_schema(HOOK), "The hooks, oldest first"))
def list_hooks(args):
    """Your organisation's hooks (admins: the named organisation's)."""
    limit = args["limit"]
    rows = service.hooks(_organisation(args.get("organisation_id")),
                         after=HOOK_PAGES.read(args.get("cursor")), limit=limit + 1)
    page, following = page_of(HOOK_PAGES, rows, limit, lambda r: (r.created_at, r.id))
    return jsonify(listing([service.out(r) for r in page], following))


@blp.route("/<uuid:hook_id>", methods=["DELETE"])
@access.access(PARTNER_OR_ADMIN)
@blp.response(204)
def remove(hook_id: uuid.UUID):
    """Remove a hook (its log goes with it)."""
    service.remove(current_principal(), hook_id)
    return "", 204


@blp.route("/<uuid:hook_id>/deliveries", methods=["GET"])
@access.access(PARTNER_OR_ADMIN)
@blp.arguments(LogArgs, location="query", as_kwargs=True)
@blp.doc(responses=ok(JSON, list_json_schema(DELIVERY),
                      "Deliveries, newest first: pending, delivered or dead (dead-lettered "
                      "after 24 hours of failures)"))
def deliveries(hook_id: uuid.UUID, limit: int, cursor: str | None = None):
    """The delivery log: each change's idempotency id, status, attempts, last answer."""
    rows = service.deliveries(current_principal(), hook_id, LOG_PAGES.read(cursor), limit + 1)
    page, following = page_of(LOG_PAGES, rows, limit, lambda r: (r["seq"],))
    return jsonify(listing([{k: (v.isoformat() if hasattr(v, "isoformat") else v)
                             for k, v in row.items()} for row in page], following))
