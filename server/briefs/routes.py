"""Periodic briefs (JSON API): make one, list the kept ones, download, and the schedule.
Coordinators only, each within their own organisation."""
from __future__ import annotations

import uuid

from flask import Response, jsonify

from ..core import access
from ..core.access import current_principal
from ..core.db import db
from ..core.http import Blueprint
from ..core.openapi import list_schema
from ..core.pagination import Keyset, listing, page_of
from . import service
from .schemas import (
    BriefListArgs,
    BriefRequestSchema,
    BriefSchema,
    DownloadArgs,
    ScheduleOutSchema,
    ScheduleSchema,
)

blp = Blueprint("briefs", __name__, url_prefix="/api/briefs",
                description="Periodic briefs (PDF and HTML) of facility conditions and incidents: "
                            "internal, or for publication through a partner's sharing policy.")
COORDINATOR = access.role("coordinator")
PAGES = Keyset("briefs.list", "datetime", "uuid")
SCHEDULE_PAGES = Keyset("briefs.schedules", "datetime", "uuid")
FILE = {"200": {"description": "The brief (every download is audited)", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "text/html": {"schema": {"type": "string"}}}}}


@blp.route("", methods=["POST"])
@access.access(COORDINATOR)
@blp.arguments(BriefRequestSchema, example={"period_kind": "quarter",
                                            "period_start": "2025-01-01", "scope_kind": "all",
                                            "audience": "internal", "language": "fa"})
@blp.alt_response(201, schema=BriefSchema, success=True)
def generate(data):
    """Make a brief now (a brief of the same edition is replaced) and keep it."""
    row = service.generate(db.session, current_principal(), data)
    return jsonify(BriefSchema().dump(row)), 201


@blp.route("", methods=["GET"])
@access.access(COORDINATOR)
@blp.arguments(BriefListArgs, location="query", as_kwargs=True)
@blp.alt_response(200, schema=list_schema(BriefSchema), success=True)
def list_briefs(limit, cursor=None):
    """Your organisation's briefs, newest first."""
    principal = current_principal()
    rows = service.listing(db.session, principal, PAGES.read(cursor, principal), limit + 1)
    page, following = page_of(PAGES, rows, limit, lambda r: (r["created_at"], r["id"]))
    return jsonify(listing(BriefSchema(many=True).dump(page), following))


@blp.route("/<uuid:brief_id>/file", methods=["GET"])
@access.access(COORDINATOR)
@blp.arguments(DownloadArgs, location="query", as_kwargs=True)
@blp.doc(responses=FILE)
def download(brief_id: uuid.UUID, format: str):
    """Download a kept brief as PDF or HTML."""
    data, media, name = service.download(db.session, current_principal(), brief_id, format)
    response = Response(data, mimetype=media.split(";")[0])
    response.headers["Content-Type"] = media
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/schedules", methods=["GET"])
@access.access(COORDINATOR)
@blp.arguments(BriefListArgs, location="query", as_kwargs=True)
@blp.alt_response(200, schema=list_schema(ScheduleOutSchema), success=True)
def list_schedules(limit, cursor=None):
    """Your organisation's scheduled briefs (made after each month or quarter ends), oldest
    first."""
    rows = service.schedules(db.session, current_principal(),
                             after=SCHEDULE_PAGES.read(cursor), limit=limit + 1)
    page, following = page_of(SCHEDULE_PAGES, rows, limit,
                              lambda r: (r["created_at"], r["id"]))
    return jsonify(listing(ScheduleOutSchema(many=True).dump(page), following))


@blp.route("/schedules", methods=["POST"])
@access.access(COORDINATOR)
@blp.arguments(ScheduleSchema)
@blp.alt_response(201, schema=ScheduleOutSchema, success=True)
def add_schedule(data):
    """Schedule a brief for every month or quarter, in the given languages."""
    row = service.add_schedule(db.session, current_principal(), data)
    return jsonify(ScheduleOutSchema().dump(row)), 201


@blp.route("/schedules/<uuid:schedule_id>", methods=["DELETE"])
@access.access(COORDINATOR)
@blp.response(204)
def delete_schedule(schedule_id: uuid.UUID):
    """Stop a scheduled brief (the briefs made stay)."""
    service.delete_schedule(db.session, current_principal(), schedule_id)
    return "", 204
