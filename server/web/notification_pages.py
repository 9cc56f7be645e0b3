"""The notifications page (coordinators): their alerts, unread first marked, read per person,
and how they are mailed."""
from __future__ import annotations

import uuid

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _

from ..alerts import mail, service
from ..core import access
from ..core.access import current_principal
from ..core.errors import ValidationFailed
from .pages import install, render

blp = install(Blueprint("notification_pages", __name__, url_prefix="/notifications",
                        template_folder="templates"))
COORDINATOR = access.role("coordinator")


def kind_labels() -> dict[str, str]:
    """The kinds of alert rule in the page's language (server.alerts.kinds.KINDS)."""
    return {"incident": _("New incident"), "access_denied": _("Access denied"),
            "not_visited": _("Facility not visited"),
            "red_flag": _("Red flag at a facility"),
            "rating_lower": _("Rated lower than at the last visit"),
            "case_urgent": _("Urgent protection case"),
            "case_overdue": _("Protection case overdue")}


@blp.route("", methods=["GET"])
@access.access(COORDINATOR)
def inbox():
    principal = current_principal()
    rows = service.notifications(principal, limit=200)
    items = [{"id": r.id, "line": mail.line(r.kind, r.summary), "kind": r.kind,
              "event_at": r.event_at, "read": r.read_at is not None} for r in rows]
    return render("notifications.html", items=items, unread=service.unread_count(principal),
                  email_mode=service.email_mode(principal), modes=service.EMAIL_MODES,
                  rules=service.list_rules(principal), kinds=kind_labels())


@blp.route("/read", methods=["POST"])
@access.access(COORDINATOR)
def mark_read():
    ids = None
    if request.form.get("id"):
        try:
            ids = [uuid.UUID(request.form["id"])]
        except ValueError:
            raise ValidationFailed.field("id", "Not a notification id.") from None
    service.mark_read(current_principal(), ids)
    return redirect(url_for("notification_pages.inbox"), 303)


@blp.route("/email", methods=["POST"])
@access.access(COORDINATOR)
def set_email():
    service.set_email_mode(current_principal(), request.form.get("email_mode", ""))
    return redirect(url_for("notification_pages.inbox"), 303)
