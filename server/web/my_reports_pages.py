"""/my-reports: a monitor's own reports in a browser (ODK Collect users read the coordinators'
decisions here), with the review status and every comment, newest first."""
from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _

from ..core import access
from ..core.access import current_principal
from ..core.pagination import Keyset
from ..myreports import service
from . import dates, workspace
from .pages import install, render

blp = install(Blueprint("my_reports_pages", __name__, template_folder="templates"))
PAGES = Keyset("my-reports-page", "datetime", "uuid")
PAGE_SIZE = 30


@blp.route("/my-reports", methods=["GET"])
@access.access(access.role("monitor"))
def mine():
    principal = current_principal()
    rows = service.reports_page(principal, after=PAGES.read(request.args.get("cursor")),
                                limit=PAGE_SIZE + 1)
    following = PAGES.token((rows[PAGE_SIZE - 1]["at"], rows[PAGE_SIZE - 1]["id"])) \
        if len(rows) > PAGE_SIZE else None
    return render("my_reports.html", items=rows[:PAGE_SIZE], following=following, when=dates.when,
                  statuses=workspace.status_labels(), types=workspace.incident_type_labels(),
                  actions={"verify": _("Verified"), "has_issues": _("Sent back"),
                           "reject": _("Rejected"), "merge": _("Merged as a duplicate"),
                           "unmerge": _("Merge undone"),
                           "reopen": _("Back in review after your correction")})
