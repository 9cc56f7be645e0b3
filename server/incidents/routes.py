"""Incident API: report one on its own, read, review, merge duplicates."""
from __future__ import annotations

from flask import jsonify
from marshmallow import fields, validate

from ..core import access
from ..core.access import current_principal
from ..core.db import db
from ..core.http import Blueprint
from ..core.validation import CountryCode, StrictSchema, Text
from ..facilities.models import Facility
from ..core.errors import ValidationFailed
from ..review import service as review
from ..review.schemas import MergeSchema, ReviewSchema
from . import service
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
def report_incident(data):
    """Report an incident that did not come with a visit. Retrying with the same id is safe."""
    facility = None
    if data.get("facility_id"):
        facility = db.session.get(Facility, data["facility_id"])
        if facility is None:
            raise ValidationFailed.field("facility_id", "Unknown facility.")
    incident = service.create_standalone(data, current_principal(), facility=facility)
    return jsonify({"id": str(incident.id)}), 201


@blp.route("/<uuid:incident_id>", methods=["GET"])
@access.access(access.member("monitor", "coordinator"))
def get_incident(incident_id):
    """One incident: full detail for its organisation (reading the narrative is audited),
    the coalition view for other organisations' coordinators."""
    return jsonify(incident_detail(incident_id, current_principal()))


@blp.route("/<uuid:incident_id>/review", methods=["POST"])
@access.access(access.role("coordinator"))
@blp.arguments(ReviewSchema)
def review_incident(data, incident_id):
    """Verify, flag as having issues or reject an incident."""
    incident = review.decide("incident", incident_id, data["action"], data.get("comment"),
                             current_principal())
    return jsonify({"id": str(incident.id), "verification_status": incident.verification_status})


@blp.route("/<uuid:incident_id>/merge", methods=["POST"])
@access.access(access.role("coordinator"))
@blp.arguments(MergeSchema)
def merge_incident(data, incident_id):
    """Merge this incident into `original_id` as a duplicate: both stay linked, counted once."""
    incident = review.merge_duplicate(incident_id, data["original_id"], current_principal())
    return jsonify({"id": str(incident.id), "duplicate_of": str(incident.duplicate_of)})
