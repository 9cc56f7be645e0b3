"""Partner API keys (admins)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..accounts import credentials, queries
from ..accounts.schemas import PartnerKeySchema
from ..core import access
from ..core.access import current_principal
from ..core.errors import AppError
from .pages import credential_context, form_errors, install, load_form, render

blp = install(Blueprint("partner_keys", __name__, url_prefix="/admin/partner-keys",
                        template_folder="templates"))
ADMIN = access.role("admin")


def _list_page(status=200, errors=None, form=None):
    rows, following = queries.partner_keys(cursor=request.args.get("cursor"))
    partners = queries.organisations(kind="partner", limit=1000)[0]
    return render("admin/partner_keys.html", status, keys=rows, following=following,
                  partners=partners, scopes=credentials.SCOPES, errors=errors or {},
                  form=form or {}, default_days=credentials.PARTNER_DAYS[0],
                  max_days=credentials.PARTNER_DAYS[1],
                  chosen_scopes=request.form.getlist("scopes"), **credential_context())


@blp.route("", methods=["GET"])
@access.access(ADMIN)
def list_keys():
    return _list_page()


@blp.route("", methods=["POST"])
@access.access(ADMIN)
def create_key():
    try:
        data = load_form(PartnerKeySchema(), ("organisation_id", "label", "days"), ("scopes",))
        key, raw = credentials.create_partner_key(current_principal(), data["organisation_id"],
                                                  data["scopes"], data["label"], data["days"])
    except AppError as exc:
        return _list_page(exc.status, form_errors(exc), request.form)
    return render("admin/partner_key_created.html", 201, key=key, raw=raw)


@blp.route("/<uuid:key_id>/revoke", methods=["POST"])
@access.access(ADMIN)
def revoke_key(key_id):
    key = credentials.revoke_partner_key(current_principal(), key_id)
    flash(_("Partner key “%(label)s” revoked.", label=key.label), "info")
    return redirect(url_for("partner_keys.list_keys"), code=303)
