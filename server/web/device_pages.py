"""Device tokens for monitors' phones: coordinators (their organisation) and admins."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..accounts import credentials, odk, phones, qr, queries
from ..accounts.schemas import DeviceTokenSchema
from ..cases import form as case_form
from ..core import access
from ..core.access import current_principal
from ..core.db import db
from ..core.errors import AppError
from ..forms.labels import question_labels
from ..incidents.taxonomy import profile_labels
from .pages import credential_context, form_errors, install, load_form, render

blp = install(Blueprint("devices", __name__, url_prefix="/devices", template_folder="templates"))
MANAGE = access.role("coordinator", "admin")


def _list_page(status=200, errors=None, form=None):
    principal = current_principal()
    rows, following = queries.device_tokens(principal, cursor=request.args.get("cursor"))
    return render("admin/device_tokens.html", status, tokens=rows, following=following,
                  monitors=queries.monitors(principal), errors=errors or {}, form=form or {},
                  default_days=credentials.DEVICE_DAYS[0], max_days=credentials.DEVICE_DAYS[1],
                  sealing_key=case_form.sealing_key(db.session, principal.organisation_id),
                  mobile_url=mobile_url(), **credential_context())


def mobile_url() -> str:
    """The phone app's address (/m/), as the monitor types it or scans it."""
    return url_for("mobile.app_shell", _external=True)


@blp.route("", methods=["GET"])
@access.access(MANAGE)
def list_tokens():
    return _list_page()


@blp.route("", methods=["POST"])
@access.access(MANAGE)
def create_token():
    try:
        data = load_form(DeviceTokenSchema(), ("user_id", "label", "days"))
        token, raw = credentials.create_device_token(current_principal(), data["user_id"],
                                                     data["label"], data["days"])
    except AppError as exc:
        return _list_page(exc.status, form_errors(exc), request.form)
    settings, code = odk.qr_code(raw)
    address = mobile_url()
    return render("admin/device_token_created.html", 201, token=token, raw=raw,
                  settings=settings, qr=code, server_url=odk.server_url(raw),
                  mobile_url=address, mobile_qr=qr.svg_data_uri(address))


@blp.route("/<uuid:token_id>/revoke", methods=["POST"])
@access.access(MANAGE)
def revoke_token(token_id):
    token = credentials.revoke_device_token(current_principal(), token_id)
    flash(_("Device token “%(label)s” revoked.", label=token.label), "info")
    return redirect(url_for("devices.list_tokens"), code=303)


@blp.route("/<uuid:token_id>/lost", methods=["POST"])
@access.access(MANAGE)
def mark_lost(token_id):
    token = phones.mark_lost(current_principal(), token_id)
    flash(_("“%(label)s” marked lost: the phone erases itself if it reaches the server again.",
            label=token.label), "info")
    return redirect(url_for("devices.list_tokens"), code=303)


@blp.route("/profile-card", methods=["GET"])
@access.access(MANAGE)
def profile_card():
    """The key to the coded at-risk profiles the phone shows (Profile P1 ... P11), to print and
    hand to monitors apart from their phones: the phone must never hold it. Never cached."""
    coded = {language: question_labels(language, "incident")["profiles_present"]["choices"]
             for language in ("en", "prs", "ps")}
    rows = [{"code": code, "coded": {lang: coded[lang].get(code, code) for lang in coded},
             "labels": labels} for code, labels in profile_labels().items()]
    return render("admin/profile_card.html", rows=rows,
                  headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
