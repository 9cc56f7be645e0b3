"""Admin API: the sharing policy of each partner organisation."""
from __future__ import annotations

import uuid

from flask import jsonify
from marshmallow import fields, validate

from ..core import access
from ..core.access import current_principal
from ..core.http import Blueprint
from ..core.openapi import JSON, list_json_schema, ok
from ..core.pagination import CursorField, Keyset, listing, page_of
from ..core.record_docs import INT, STR, TIME, UUID, obj
from ..core.validation import StrictSchema
from . import service
from .policy import Policy
from .schemas import PolicyOutSchema, PolicySchema

blp = Blueprint("partner_policies", __name__, url_prefix="/api/partner-policies",
                description="What each partner organisation may receive, and which partner "
                            "organisations hold an incident (admins only).")

ADMIN = access.role("admin")
PAGES = Keyset("partner_policies", "text", "uuid")
HOLDER_PAGES = Keyset("partner_policies.holders", "text", "uuid")


def _out(policy: Policy) -> dict:
    data = PolicyOutSchema().dump(policy.as_dict())
    data["is_default"] = policy.version == 0
    return data


class ListArgs(StrictSchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    cursor = CursorField()


@blp.route("", methods=["GET"])
@access.access(ADMIN)
@blp.arguments(ListArgs, location="query", as_kwargs=True)
@blp.doc(responses=ok(JSON, list_json_schema(obj(
    ("organisation", "policy"), organisation=obj(("id", "name"), id=UUID, name=STR),
    policy={"$ref": "#/components/schemas/PolicyOut"})), "Every partner organisation, by name"))
def list_policies(limit, cursor=None):
    """Every partner organisation with its policy (the defaults where none was set)."""
    rows = service.list_policies(after=PAGES.read(cursor), limit=limit + 1)
    page, following = page_of(PAGES, rows, limit, lambda r: (r[0].name, r[0].id))
    return jsonify(listing([{"organisation": {"id": str(org.id), "name": org.name},
                             "policy": _out(p)} for org, p in page], following))


@blp.route("/<uuid:organisation_id>", methods=["GET"])
@access.access(ADMIN)
@blp.response(200, PolicyOutSchema)
def get_policy(organisation_id: uuid.UUID):
    """A partner organisation's policy."""
    return jsonify(_out(service.get_policy(organisation_id)))


@blp.route("/<uuid:organisation_id>", methods=["PUT"])
@access.access(ADMIN)
@blp.arguments(PolicySchema, example={
    "incident_types": None, "statuses": ["verified"], "location_precision": "grid",
    "grid_km": 10, "sensitive_types": ["sgbv", "self_harm"], "sensitive_precision": "admin1",
    "small_count_k": 5, "embargo_days": 14, "countries": ["AFG"], "withheld_fields": [],
    "note": "Sharing agreement of 2025-06-01"})
@blp.response(200, PolicyOutSchema)
def set_policy(data, organisation_id: uuid.UUID):
    """Replace a partner organisation's policy. Its next incremental sync resends everything
    under the new policy (records it may no longer hold come as tombstones)."""
    return jsonify(_out(service.set_policy(organisation_id, data, current_principal())))


HOLDER = obj(("organisation_id", "name", "policy_version", "delivered_at"),
             organisation_id=UUID, name=STR, policy_version=INT, delivered_at=TIME)


@blp.route("/holders/<uuid:incident_id>", methods=["GET"])
@access.access(ADMIN)
@blp.arguments(ListArgs, location="query", as_kwargs=True)
@blp.doc(responses=ok(JSON, list_json_schema(HOLDER),
                      "The partner organisations holding the incident, by name"))
def incident_holders(incident_id: uuid.UUID, limit, cursor=None):
    """The partner organisations holding an incident now (from the delivery ledger), e.g. to
    follow up a consent withdrawal: each gets the incident's tombstone at its next sync."""
    rows = service.holders(incident_id, after=HOLDER_PAGES.read(cursor), limit=limit + 1)
    page, following = page_of(HOLDER_PAGES, rows, limit,
                              lambda r: (r["name"], r["organisation_id"]))
    return jsonify(listing([{**row, "organisation_id": str(row["organisation_id"]),
                             "delivered_at": row["delivered_at"].isoformat()}
                            for row in page], following))
