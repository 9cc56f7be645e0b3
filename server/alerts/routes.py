"""Notifications, alert rules and email settings of the signed-in coordinator (JSON API)."""
from __future__ import annotations

import uuid

from flask import jsonify
from marshmallow import fields

from ..core import access
from ..core.access import current_principal
from ..core.http import Blueprint
from ..core.openapi import JSON, list_schema, ok
from ..core.pagination import Keyset, listing, page_of
from . import service
from .schemas import (
    MarkReadSchema,
    NotificationListArgs,
    NotificationSchema,
    RuleListArgs,
    RuleOutSchema,
    RuleSchema,
    SettingsSchema,
)

blp = Blueprint("alerts", __name__, url_prefix="/api",
                description="Alerts for coordinators: notifications (each person's own), "
                            "alert rules and how they are mailed.")
COORDINATOR = access.role("coordinator")
PAGES = Keyset("alerts.notifications", "datetime", "uuid")
RULE_PAGES = Keyset("alerts.rules", "datetime", "uuid")


@blp.route("/notifications", methods=["GET"])
@access.access(COORDINATOR)
@blp.arguments(NotificationListArgs, location="query", as_kwargs=True)
@blp.alt_response(200, schema=list_schema(NotificationSchema, unread=fields.Integer(required=True)),
                  success=True)
def list_notifications(unread, limit, cursor=None):
    """Your notifications, newest first, with how many are unread."""
    principal = current_principal()
    rows = service.notifications(principal, unread_only=unread, after=PAGES.read(cursor),
                                 limit=limit + 1)
    page, following = page_of(PAGES, rows, limit, lambda r: (r.created_at, r.id))
    items = NotificationSchema(many=True).dump([r._asdict() for r in page])
    return jsonify(listing(items, following, unread=service.unread_count(principal)))


@blp.route("/notifications/read", methods=["POST"])
@access.access(COORDINATOR)
@blp.arguments(MarkReadSchema)
@blp.doc(responses=ok(JSON, {"type": "object", "properties": {
    "marked": {"type": "integer"}, "unread": {"type": "integer"}}}, "How many were marked"))
def mark_read(data):
    """Mark notifications of yours read (others' ids change nothing)."""
    changed = service.mark_read(current_principal(), data["ids"])
    return jsonify({"marked": changed, "unread": service.unread_count(current_principal())})


@blp.route("/alert-rules", methods=["GET"])
@access.access(COORDINATOR)
@blp.arguments(RuleListArgs, location="query", as_kwargs=True)
@blp.alt_response(200, schema=list_schema(RuleOutSchema), success=True)
def list_rules(limit, cursor=None):
    """Your organisation's rules and your own, oldest first."""
    rows = service.list_rules(current_principal(), after=RULE_PAGES.read(cursor),
                              limit=limit + 1)
    page, following = page_of(RULE_PAGES, rows, limit, lambda r: (r["created_at"], r["id"]))
    return jsonify(listing(page, following))


@blp.route("/alert-rules", methods=["POST"])
@access.access(COORDINATOR)
@blp.arguments(RuleSchema, example={"kind": "incident", "for": "organisation", "params": {
    "types": ["death_in_custody"], "min_severity": 4, "countries": ["IRN"]}})
@blp.alt_response(201, schema=RuleOutSchema, success=True)
def add_rule(data):
    """A rule for you alone (`for`: person) or for every coordinator of your organisation."""
    rule = service.add_rule(current_principal(), {**data, "for": data.pop("for_")})
    return jsonify(rule), 201


@blp.route("/alert-rules/<uuid:rule_id>", methods=["DELETE"])
@access.access(COORDINATOR)
@blp.response(204)
def delete_rule(rule_id: uuid.UUID):
    """Delete a rule of your organisation's, or your own."""
    service.delete_rule(current_principal(), rule_id)
    return "", 204


@blp.route("/alert-settings", methods=["GET"])
@access.access(COORDINATOR)
@blp.response(200, SettingsSchema)
def get_settings():
    """How your alerts are mailed: off, immediate, hourly or daily digest."""
    return {"email_mode": service.email_mode(current_principal())}


@blp.route("/alert-settings", methods=["PUT"])
@access.access(COORDINATOR)
@blp.arguments(SettingsSchema)
@blp.response(200, SettingsSchema)
def set_settings(data):
    """Choose how your alerts are mailed."""
    return {"email_mode": service.set_email_mode(current_principal(), data["email_mode"])}
