"""The briefs page (coordinators): the organisation's kept briefs to download (PDF or HTML, each
download audited by the API route it links to), a form to make one now, and the schedule (add,
stop). Every write goes through server.briefs.service, as the JSON API's do."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..briefs import compose, service
from ..briefs.schemas import BriefFormSchema, ScheduleFormSchema
from ..core import access
from ..core.access import current_principal
from ..core.db import db
from ..core.errors import AppError
from ..core.pagination import Keyset, page_of
from .pages import form_errors, install, load_form, render
from .workspace import countries, country_labels

blp = install(Blueprint("brief_pages", __name__, url_prefix="/briefs",
                        template_folder="templates"))
COORDINATOR = access.role("coordinator")
PAGES = Keyset("brief_pages.list", "datetime", "uuid")
PER_PAGE = 50
FIELDS = ("period_kind", "period_start", "scope", "audience", "partner_id", "language")
SCHEDULE_FIELDS = ("period_kind", "scope", "audience", "partner_id")


def _words() -> dict:
    return {"periods": {"month": _("Month"), "quarter": _("Quarter")},
            "audiences": {"internal": _("Internal"), "publication": _("For publication")},
            # each language by its own name
            "languages": {"en": "English", "fa": "دری", "ps": "پښتو"},
            "countries": country_labels()}


def _page(status: int = 200, errors: dict | None = None, form: dict | None = None,
          schedule_errors: dict | None = None, schedule_form: dict | None = None):
    principal = current_principal()
    rows = service.listing(db.session, principal, PAGES.read(request.args.get("cursor")),
                           PER_PAGE + 1)
    briefs, following = page_of(PAGES, rows, PER_PAGE, lambda r: (r["created_at"], r["id"]))
    choices = service.choices(db.session)
    facility_names = {str(f["id"]): f["name"] for f in choices["facilities"]}
    partner_names = {str(p["id"]): p["name"] for p in choices["partners"]}
    last = compose.last_complete("quarter", datetime.now(timezone.utc).date())
    return render("briefs.html", status, briefs=briefs, following=following,
                  schedules=service.schedules(db.session, principal),
                  facilities=choices["facilities"], partners=choices["partners"],
                  facility_names=facility_names, partner_names=partner_names,
                  countries=countries(), words=_words(), default_start=last.start.isoformat(),
                  errors=errors or {}, form=form or {}, schedule_errors=schedule_errors or {},
                  schedule_form=schedule_form or {}, title=_("Briefs"))


@blp.route("", methods=["GET"])
@access.access(COORDINATOR)
def listing():
    return _page()


@blp.route("", methods=["POST"])
@access.access(COORDINATOR)
def generate():
    try:
        data = load_form(BriefFormSchema(), FIELDS)
        row = service.generate(db.session, current_principal(), data)
    except AppError as exc:
        return _page(exc.status, errors=form_errors(exc), form=request.form)
    flash(_("Brief made: %(period)s.", period=compose.period_of(
        row["period_kind"], row["period_start"]).label), "info")
    return redirect(url_for("brief_pages.listing"), 303)


@blp.route("/schedules", methods=["POST"])
@access.access(COORDINATOR)
def add_schedule():
    try:
        data = load_form(ScheduleFormSchema(), SCHEDULE_FIELDS, ("languages",))
        service.add_schedule(db.session, current_principal(), data)
    except AppError as exc:
        return _page(exc.status, schedule_errors=form_errors(exc), schedule_form=request.form)
    flash(_("Brief scheduled."), "info")
    return redirect(url_for("brief_pages.listing"), 303)


@blp.route("/schedules/<uuid:schedule_id>/delete", methods=["POST"])
@access.access(COORDINATOR)
def delete_schedule(schedule_id: uuid.UUID):
    service.delete_schedule(db.session, current_principal(), schedule_id)
    flash(_("Scheduled brief stopped."), "info")
    return redirect(url_for("brief_pages.listing"), 303)
