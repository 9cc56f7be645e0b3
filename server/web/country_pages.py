"""Admin page: country records (legal facts that are a country's law, asked once per country
rather than at every visit, e.g. judicial review of detention)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..core import access
from ..core.access import current_principal
from ..core.errors import AppError
from ..countries import service
from ..countries.models import ANSWERS
from ..countries.schemas import CountryFactsSchema
from .pages import form_errors, install, load_form, render

blp = install(Blueprint("admin_countries", __name__, url_prefix="/admin",
                        template_folder="templates"))
ADMIN = access.role("admin")
FIELDS = ("country", "judicial_review", "detention_time_limit_days", "asylum_procedure", "note",
          "source_url")


def _page(status=200, errors=None, form=None):
    labels = {"yes": _("yes"), "partly": _("partly"), "no": _("no"), "unknown": _("unknown")}
    return render("admin/countries.html", status, records=service.all_records(),
                  answers=[(a, labels[a]) for a in ANSWERS], errors=errors or {},
                  form=form or {})


@blp.route("/countries", methods=["GET"])
@access.access(ADMIN)
def list_countries():
    return _page()


@blp.route("/countries", methods=["POST"])
@access.access(ADMIN)
def save_country():
    try:
        record = service.save(current_principal(), load_form(CountryFactsSchema(), FIELDS))
    except AppError as exc:
        return _page(exc.status, form_errors(exc), request.form)
    flash(_("Saved."), "info")
    return redirect(url_for("admin_countries.list_countries") + f"#c-{record.country}", code=303)
