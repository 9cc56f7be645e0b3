"""What every server-rendered page shares: the signed-in user and CSRF token in templates,
form parsing, and errors shown as pages to browsers (problem+json to everything else).

Page blueprints call `install(blp)`; `init_app` (INIT_MODULES) adds the template globals.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Flask, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError

from ..accounts.csrf import csrf_token
from ..accounts.models import User
from ..core import errors
from ..core.access import PARTNER_ROLE, current_principal
from ..core.db import db
from ..core.errors import AppError, Unauthorized, ValidationFailed
from ..core.redirects import safe_next

__all__ = ["install", "render", "load_form", "safe_next", "wants_html", "init_app"]


def wants_html() -> bool:
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def render(template: str, status: int = 200, headers: dict | None = None, **context):
    return render_template(template, **context), status, headers or {}


def load_form(schema: Schema, fields: tuple[str, ...], lists: tuple[str, ...] = ()) -> dict:
    """The named fields of the posted form through `schema`; blanks count as not given."""
    data = {name: request.form[name].strip() for name in fields
            if request.form.get(name, "").strip() != ""}
    data.update({name: request.form.getlist(name) for name in lists})
    try:
        return schema.load(data)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
        raise ValidationFailed(errors.describe(messages), messages)


def form_errors(exc: AppError) -> dict:
    """Field -> messages for a form; errors not about one field go under '_'."""
    return exc.errors or {"_": [exc.detail]}


def _page_error(exc: AppError):
    if not wants_html():
        return errors.problem(exc.status, exc.title, exc.detail, exc.slug, exc.errors,
                              exc.headers)
    if isinstance(exc, Unauthorized) and request.method == "GET":
        return redirect(url_for("account.sign_in", next=request.full_path.rstrip("?")))
    return render("error.html", exc.status, exc.headers, error=exc)


def _no_store(response):
    # Pages carry personal data and one-time secrets: never keep them in a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def install(blp: Blueprint) -> Blueprint:
    blp.register_error_handler(AppError, _page_error)
    blp.after_request(_no_store)
    return blp


def current_user() -> User | None:
    principal = current_principal()
    if principal.kind != "user":
        return None
    return db.session.get(User, principal.user_id)


def nav_links() -> list[tuple[str, str]]:
    """(endpoint, label key) of the menu for the caller's role."""
    principal, views = current_principal(), current_app.view_functions
    if principal.kind != "user":
        return []
    if principal.role == PARTNER_ROLE:  # a protection partner's people: referred cases only
        return [("case_pages.inbox", _("Referred cases")), ("case_pages.keys", _("Sealing keys")),
                ("account.overview", _("Account"))]
    links = []
    # The map is a coordinator's: facility conditions and incidents (not offered to admins).
    if principal.role == "coordinator" and "map_workspace.workspace" in views:
        links.append(("map_workspace.workspace", _("Map")))
    if principal.role == "coordinator" and "review_pages.queue" in views:
        links.append(("review_pages.queue", _("Review")))
    if principal.role == "coordinator" and "facility_compare.compare" in views:
        links.append(("facility_compare.compare", _("Compare facilities")))
    if principal.role == "coordinator" and "notification_pages.inbox" in views:
        from ..alerts import service as alerts  # the unread badge
        unread = alerts.unread_count(principal)
        links.append(("notification_pages.inbox",
                      _("Notifications") + (f" ({unread})" if unread else "")))
    if principal.role == "coordinator" and "brief_pages.listing" in views:
        links.append(("brief_pages.listing", _("Briefs")))
    if principal.role == "monitor" and "my_reports_pages.mine" in views:
        links.append(("my_reports_pages.mine", _("My reports")))
    if principal.role in ("coordinator", "admin") and "case_pages.queue" in views:
        links.append(("case_pages.queue", _("Cases")))
    if principal.role in ("coordinator", "admin"):
        links.append(("devices.list_tokens", _("Devices")))
        if "form_pages.list_forms" in views:
            links.append(("form_pages.list_forms", _("Forms")))
    if principal.role == "admin":
        links += [("admin.list_users", _("Users")),
                  ("admin.list_organisations", _("Organisations")),
                  ("admin_countries.list_countries", _("Countries")),
                  ("partner_keys.list_keys", _("Partner keys")),
                  ("audit_pages.browse", _("Audit log"))]
    links.append(("account.overview", _("Account")))
    return links


def messages(value) -> str:
    """Marshmallow messages (a string, a list, or a dict per list item) as one sentence."""
    if isinstance(value, dict):
        return " ".join(messages(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return " ".join(messages(v) for v in value)
    return str(value)


def credential_context() -> dict:
    """What lists of device tokens and partner keys need to show their state."""
    return {"now": datetime.now(timezone.utc),
            "states": {"active": _("active"), "expired": _("expired"), "revoked": _("revoked")}}


def options(items, value: str | None = "id", label: str = "name") -> list[tuple]:
    """(value, label) pairs for a <select>: of rows by attribute, or of plain strings."""
    if value is None:
        return [(item, item) for item in items]
    return [(getattr(item, value), getattr(item, label)) for item in items]


def init_app(app: Flask) -> None:
    app.add_template_global(options)
    app.add_template_global(csrf_token)
    app.add_template_global(current_user)
    app.add_template_global(nav_links)
    app.add_template_filter(messages)
