"""JSON submission API (our mobile app) and visit reads/reviews. Thin: the same services as
the OpenRosa door."""
from __future__ import annotations

import json

from flask import current_app, jsonify, request
from marshmallow import fields, validate

from ..core import access
from ..core.access import current_principal
from ..core.db import db
from ..core.errors import BadRequest, PayloadTooLarge
from ..core.http import Blueprint
from ..core.openapi import JSON, list_json_schema, ok
from ..core.pagination import CursorField, Keyset, listing, page_of
from ..core.statuses import REVIEW_STATUSES
from ..core.validation import StrictSchema
from . import docs, queries, service
from .detail import visit_detail
from .schemas import ReportSchema

blp = Blueprint("visits", __name__, url_prefix="/api",
                description="Visit reports: submit (idempotent by id), read, review.")

SUBMIT = access.member("monitor")
READ = access.member("monitor", "coordinator")


class VisitListArgs(StrictSchema):
    facility_id = fields.UUID()
    review_status = fields.String(validate=validate.OneOf(REVIEW_STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = CursorField()


PAGES = Keyset("visits", "datetime", "uuid")


def _result(result):
    body = {"id": str(result.visit_id), "version": result.version, "created": result.created,
            "stored_photos": result.stored_files, "missing_photos": result.missing_files}
    return jsonify(body), 201 if result.created else 200


@blp.route("/submissions", methods=["POST"])
@access.access(SUBMIT)
@blp.arguments(ReportSchema())  # one instance: building a nested schema costs ~1 ms
@blp.doc(responses=docs.SUBMIT_RESPONSES)
def submit_report(report):
    """Submit a visit report with its incidents. Retrying with the same `id` and body is safe."""
    canonical = json.dumps(request.get_json(), sort_keys=True, separators=(",", ":")).encode()
    result = service.submit(report, current_principal(), instance_id=str(report["id"]),
                            source="json", body=canonical)
    return _result(result)


@blp.route("/submissions/<uuid:visit_id>/photos/<string:filename>", methods=["PUT"])
@access.access(SUBMIT)
@blp.doc(requestBody=docs.PHOTO_BODY, responses=docs.PHOTO_RESPONSES)
def put_photo(visit_id, filename):
    """Upload a photo named in a submitted report (image/jpeg, image/png or image/webp body)."""
    data = request.get_data(cache=False)
    if not data:
        raise BadRequest("The body must be the photo's bytes.")
    limit = current_app.config["MAX_SUBMISSION_BYTES"]
    if len(data) > limit:
        raise PayloadTooLarge(f"The photo is larger than {limit} bytes.")
    stored = service.add_photo(visit_id, filename, data, current_principal())
    return jsonify({"id": str(visit_id), "stored": stored}), 201 if stored else 200


@blp.route("/visits", methods=["GET"])
@access.access(READ)
@blp.arguments(VisitListArgs, location="query", as_kwargs=True)
@blp.doc(responses=ok(JSON, list_json_schema(docs.VISIT), "A page"))
def list_visits(limit, cursor=None, **filters):
    """Visits of your organisation (coordinators) or your own (monitors), newest first."""
    principal = current_principal()
    monitor = principal.user_id if principal.role == "monitor" else None
    rows = queries.list_visits(db.session, organisation_id=principal.organisation_id,
                               monitor_id=monitor, after=PAGES.read(cursor), limit=limit + 1,
                               **filters)
    page, following = page_of(PAGES, rows, limit, lambda r: (r["submitted_at"], r["id"]))
    return jsonify(listing(page, following))


@blp.route("/visits/<uuid:visit_id>", methods=["GET"])
@access.access(READ)
@blp.doc(responses=docs.ONE)
def get_visit(visit_id):
    """One visit: full detail for its organisation and its monitor (reading notes is audited),
    the coalition view for other organisations' coordinators."""
    return jsonify(visit_detail(visit_id, current_principal()))
