"""Forms published in the browser (issue 14 point 4): coordinators (their organisation) and
admins upload an XLSForm, see what it maps to and what the app cannot run, preview it in the
phone app's own renderer, and publish it to ODK Collect and the app (or retire it)."""
from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..core import access
from ..core.access import current_principal
from ..core.db import db
from ..core.errors import AppError, BadRequest
from ..forms import catalog, service
from .pages import form_errors, install, render

blp = install(Blueprint("form_pages", __name__, url_prefix="/forms",
                        template_folder="templates"))
MANAGE = access.role("coordinator", "admin")
# The preview page is shown in a frame of the form's own page, and nowhere else.
PREVIEW_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: "
               "blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
               "frame-ancestors 'self'; form-action 'none'")


def _statuses() -> dict[str, str]:
    return {"draft": _("draft"), "published": _("published"), "retired": _("retired")}


def _list_page(status=200, errors=None):
    principal = current_principal()
    rows = service.listing(db.session, principal)
    return render("forms/list.html", status, versions=rows, errors=errors or {},
                  statuses=_statuses(), builtin=list(catalog.forms().values()))


@blp.route("", methods=["GET"])
@access.access(MANAGE)
def list_forms():
    return _list_page()


@blp.route("", methods=["POST"])
@access.access(MANAGE)
def upload_form():
    upload = request.files.get("xlsform")
    try:
        if upload is None or not upload.filename:
            raise BadRequest(_("Choose the XLSForm file to upload."),
                           {"xlsform": [_("Choose the XLSForm file to upload.")]})
        media = {f.filename: f.read() for f in request.files.getlist("media") if f.filename}
        row = service.upload(db.session, current_principal(), upload.filename, upload.read(),
                             media)
    except AppError as exc:
        return _list_page(exc.status, form_errors(exc))
    flash(_("“%(title)s” version %(version)s uploaded: check it, then publish it.",
            title=row.title, version=row.version), "info")
    return redirect(url_for(".show_form", version_id=row.id), code=303)


@blp.route("/<uuid:version_id>", methods=["GET"])
@access.access(MANAGE)
def show_form(version_id):
    row = service.readable(db.session, current_principal(), version_id)
    field_map = row.field_map or {"fields": [], "extra": []}
    return render("forms/version.html", version=row, statuses=_statuses(),
                  mapped=field_map["fields"], extra=field_map["extra"],
                  outline=_outline(json.loads(bytes(row.survey_json))))


@blp.route("/<uuid:version_id>/preview", methods=["GET"])
@access.access(MANAGE)
def preview_form(version_id):
    """The form in the phone app's own renderer (static/js/form_preview.js), phone-sized."""
    row = service.readable(db.session, current_principal(), version_id)
    form = catalog.from_row(row)
    media = {name: catalog.media_file(form, name, db.session).decode("utf-8-sig")
             for name in form.media}
    body, status, headers = render("forms/preview.html", definition=json.loads(form.survey_json),
                                   media=media, version=row)
    return body, status, {**headers, "Content-Security-Policy": PREVIEW_CSP,
                          "X-Frame-Options": "SAMEORIGIN"}


@blp.route("/<uuid:version_id>/publish", methods=["POST"])
@access.access(MANAGE)
def publish_form(version_id):
    row = service.publish(db.session, current_principal(), version_id)
    flash(_("“%(title)s” version %(version)s is published: phones get it at their next sync.",
            title=row.title, version=row.version), "info")
    return redirect(url_for(".show_form", version_id=version_id), code=303)


@blp.route("/<uuid:version_id>/retire", methods=["POST"])
@access.access(MANAGE)
def retire_form(version_id):
    row = service.retire(db.session, current_principal(), version_id)
    flash(_("“%(title)s” version %(version)s is retired: phones no longer get it; reports "
            "already made with it are still received.", title=row.title, version=row.version),
          "info")
    return redirect(url_for(".show_form", version_id=version_id), code=303)


def _outline(survey: dict) -> list[dict]:
    """Every question with its depth, type, name and first label: what Collect will ask."""
    rows = []

    def label(node):
        value = node.get("label")
        if isinstance(value, dict):
            return next(iter(value.values()), "")
        return value or ""

    def walk(node, depth):
        for child in node.get("children") or []:
            if child.get("name") == "meta" and child.get("type") == "group":
                continue
            rows.append({"depth": depth, "type": child.get("type", ""), "name": child["name"],
                         "label": label(child), "relevant": (child.get("bind") or {})
                         .get("relevant", ""), "choice_filter": child.get("choice_filter", "")})
            if child.get("type") in ("group", "repeat"):
                walk(child, depth + 1)
    walk(survey, 0)
    return rows
