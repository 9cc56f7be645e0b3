"""Incident API: report one on its own, read, list suggested duplicates (decisions: review/)."""
from __future__ import annotations

from flask import current_app, jsonify
from marshmallow import fields, validate

from ..core import access
from ..core.access import current_principal
from ..core.db import db
from ..core.errors import ValidationFailed
from ..core.http import Blueprint
from ..core.pagination import CursorField, Keyset, listing, page_of
from ..core.statuses import REVIEW_STATUSES
from ..core.validation import CountryCode, StrictSchema, Text
from ..facilities.models import Facility
from . import docs, duplicates, queries, service
from .detail import incident_detail
from .schemas import IncidentInSchema

blp = Blueprint("incidents", __name__, url_prefix="/api/incidents",
                description="Incidents: report, read, review, merge duplicates.")


class StandaloneIncidentSchema(IncidentInSchema):
    id = fields.UUID(required=True, metadata={"description": "Made on the device"})
    facility_id = fields.UUID(allow_none=True)
    country = CountryCode(allow_none=True)
    admin1 = Text(200, allow_none=True)




@blp.route("", methods=["POST"])
@access.access(access.member("monitor"))
@blp.arguments(StandaloneIncidentSchema)
@blp.doc(responses=docs.CREATED)
def report_incident(data):
    """Report an incident that did not come with a visit. Retrying with the same id is safe."""
    facility = None
    if data.get("facility_id"):
        facility = db.session.get(Facility, data["facility_id"])
        if facility is None:
            raise ValidationFailed.field("facility_id", "Unknown facility.")
    incident = service.create_standalone(data, current_principal(), facility=facility)
    return jsonify({"id": str(incident.id)}), 201


class IncidentListArgs(StrictSchema):
    facility_id = fields.UUID()
    verification_status = fields.String(validate=validate.OneOf(REVIEW_STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = CursorField()


class DuplicateArgs(StrictSchema):
    facility_id = fields.UUID()
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))
    cursor = CursorField()


PAGES = Keyset("incidents", "datetime", "uuid")
DUPLICATE_PAGES = Keyset("incidents.duplicates", "datetime", "uuid", "uuid")


def _duplicate_settings() -> dict:
    return {"metres": current_app.config["DUPLICATE_DISTANCE_M"],
            "days": current_app.config["DUPLICATE_DAYS"]}


@blp.route("", methods=["GET"])
@access.access(access.member("monitor", "coordinator"))
@blp.arguments(IncidentListArgs, location="query", as_kwargs=True)
@blp.doc(responses=docs.LIST)
def list_incidents(limit, cursor=None, **filters):
    """Incidents of your organisation (coordinators) or your own (monitors), newest first,
    without merged duplicates; each with the flags of its visit and, for reports waiting for
    review, the incidents it may duplicate (`possible_duplicate_of`)."""
    principal = current_principal()
    monitor = principal.user_id if principal.role == "monitor" else None
    rows = queries.list_incidents(db.session, organisation_id=principal.organisation_id,
                                  monitor_id=monitor, after=PAGES.read(cursor), limit=limit + 1,
                                  **filters)
    page, following = page_of(PAGES, rows, limit, lambda r: (r["created_at"], r["id"]))
    originals = duplicates.possible_originals(
        db.session, principal.organisation_id, [row["id"] for row in page],
        **_duplicate_settings()) if principal.role == "coordinator" else {}
    for row in page:
        row["possible_duplicate_of"] = originals.get(row["id"], [])
    return jsonify(listing(page, following))


@blp.route("/duplicates", methods=["GET"])
@access.access(access.role("coordinator"))
@blp.arguments(DuplicateArgs, location="query", as_kwargs=True)
@blp.doc(responses=docs.DUPLICATES)
def list_duplicates(limit, cursor=None, facility_id=None):
    """Suggested duplicates among your organisation's incidents waiting for review: same type,
    within DUPLICATE_DISTANCE_M metres and DUPLICATE_DAYS days, overlapping affected counts.
    The original may be another organisation's report (shown in the coalition view)."""
    principal = current_principal()
    rows = duplicates.pairs(db.session, principal.organisation_id, facility_id=facility_id,
                            after=DUPLICATE_PAGES.read(cursor), limit=limit + 1,
                            **_duplicate_settings())
    page, following = page_of(DUPLICATE_PAGES, rows, limit,
                              lambda r: (r["key_at"], r["key_d"], r["key_o"]))
    items = [{k: row[k] for k in ("duplicate", "original", "distance_m", "days_apart")}
             for row in page]
    return jsonify(listing(items, following, settings=_duplicate_settings()))


@blp.route("/<uuid:incident_id>", methods=["GET"])
@access.access(access.member("monitor", "coordinator"))
@blp.doc(responses=docs.ONE)
def get_incident(incident_id):
    """One incident: full detail for its organisation (reading the narrative is audited),
    the coalition view for other organisations' coordinators."""
    return jsonify(incident_detail(incident_id, current_principal()))
