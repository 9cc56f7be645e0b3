"""Review decisions (coordinators): verify, send back or reject a visit or an incident, and merge
a duplicate incident into its original (thin: schema in, review service, out)."""
from __future__ import annotations

from flask import jsonify
from marshmallow import fields, validate

from ..core import access
from ..core.access import current_principal
from ..core.http import Blueprint
from ..core.openapi import JSON, ok
from ..core.validation import StrictSchema
from ..incidents import docs as incident_docs
from ..visits import docs as visit_docs
from . import service as review
from .schemas import MergeSchema, ReviewSchema

blp = Blueprint("review", __name__, url_prefix="/api",
                description="Review decisions by coordinators: verify, has issues (the monitor "
                            "sees the comment), reject; merge duplicates.")
REVIEW = access.role("coordinator")


@blp.route("/visits/<uuid:visit_id>/review", methods=["POST"])
@access.access(REVIEW)
@blp.arguments(ReviewSchema)
@blp.doc(responses=visit_docs.REVIEWED)
def review_visit(data, visit_id):
    """Verify, flag as having issues (the monitor sees the comment) or reject a visit."""
    visit = review.decide("visit", visit_id, data["action"], data.get("comment"),
                          current_principal(), seen=data.get("updated_at"))
    return jsonify({"id": str(visit.id), "review_status": visit.review_status,
                    "review_comment": visit.review_comment})


@blp.route("/incidents/<uuid:incident_id>/review", methods=["POST"])
@access.access(REVIEW)
@blp.arguments(ReviewSchema)
@blp.doc(responses=incident_docs.REVIEWED)
def review_incident(data, incident_id):
    """Verify, flag as having issues or reject an incident."""
    incident = review.decide("incident", incident_id, data["action"], data.get("comment"),
                             current_principal(), seen=data.get("updated_at"))
    return jsonify({"id": str(incident.id), "verification_status": incident.verification_status})


@blp.route("/incidents/<uuid:incident_id>/merge", methods=["POST"])
@access.access(REVIEW)
@blp.arguments(MergeSchema)
@blp.doc(responses=incident_docs.MERGED)
def merge_incident(data, incident_id):
    """Merge this incident into `original_id` as a duplicate: both stay linked, counted once."""
    incident = review.merge_duplicate(incident_id, data["original_id"], current_principal())
    return jsonify({"id": str(incident.id), "duplicate_of": str(incident.duplicate_of)})


class RatingSchema(StrictSchema):
    rating = fields.Raw(required=True, metadata={
        "description": "1 poor, 2 not sufficiently good, 3 reasonably good, 4 good, or "
                       "insufficient_evidence"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


@blp.route("/visits/<uuid:visit_id>/dimensions/<string:dimension>", methods=["POST"])
@access.access(REVIEW)
@blp.arguments(RatingSchema)
@blp.doc(responses=ok(JSON, {"type": "object"}, "The dimension as stored, with the adjustment"))
def adjust_rating(data, visit_id, dimension):
    """A coordinator adjusts one dimension's rating at review, with a reason (audited)."""
    entry = review.adjust_rating(visit_id, dimension, data["rating"],
                                             data["reason"], current_principal())
    return jsonify({"id": str(visit_id), "dimension": dimension, **entry})
@blp.route("/incidents/<uuid:incident_id>/unmerge", methods=["POST"])
@access.access(REVIEW)
@blp.doc(responses=incident_docs.UNMERGED)
def unmerge_incident(incident_id):
    """Undo a merge: the incident is counted on its own again (audited)."""
    incident = review.unmerge_duplicate(incident_id, current_principal())
    return jsonify({"id": str(incident.id), "duplicate_of": None})
