"""GET /api/my-reports: a monitor's own reports with their review status and comments (the
mobile app with its device token, or a monitor's browser session). Thin."""
from __future__ import annotations

from flask import jsonify
from marshmallow import fields, validate

from ..core import access
from ..core.access import current_principal
from ..core.http import Blueprint
from ..core.pagination import CursorField, Keyset, listing, page_of
from ..core.validation import StrictSchema
from . import docs, service

blp = Blueprint("my_reports", __name__, url_prefix="/api",
                description="A monitor's own reports: review status and coordinators' comments.")
MONITOR = access.member("monitor")
PAGES = Keyset("my-reports", "datetime", "uuid")


class MyReportsArgs(StrictSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = CursorField()


@blp.route("/my-reports", methods=["GET"])
@access.access(MONITOR)
@blp.arguments(MyReportsArgs, location="query", as_kwargs=True)
@blp.doc(responses=docs.LIST)
def my_reports(limit, cursor=None):
    """Your visits (with their incidents) and stand-alone incidents, newest first, each with its
    review status and the coordinators' decisions and comments."""
    rows = service.reports_page(current_principal(), after=PAGES.read(cursor), limit=limit + 1)
    page, following = page_of(PAGES, rows, limit, lambda r: (r["at"], r["id"]))
    for item in page:
        item["at"] = item["at"].isoformat()
    return jsonify(listing(page, following))
