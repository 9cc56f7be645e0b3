"""Admin pages: users and organisations."""
from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..accounts import queries, service, signin
from ..accounts.models import ROLES
from ..accounts.schemas import OrganisationSchema, UserInSchema, UserPatchSchema
from ..core import access
from ..core.access import current_principal
from ..core.errors import AppError
from ..core.urls import absolute
from .pages import form_errors, install, load_form, render

blp = install(Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates"))
ADMIN = access.role("admin")
USER_FIELDS = ("email", "name", "role", "organisation_id")
ORGANISATION_FIELDS = ("name", "short_name", "kind", "country")


def _member_organisations():
    """Coalition members, then partners (whose people get coordinator accounts: issue 19)."""
    return (queries.organisations(kind="coalition_member", limit=1000)[0]
            + queries.organisations(kind="partner", limit=1000)[0])


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _users_page(status=200, errors=None, form=None):
    args = request.args
    filters = {"organisation_id": _uuid(args.get("organisation_id")),
               "role": args.get("role") if args.get("role") in ROLES else None,
               "q": args.get("q", "").strip() or None}
    rows, following = queries.users(cursor=args.get("cursor"), limit=100, **filters)
    return render("admin/users.html", status, users=rows, following=following,
                  filters=filters, organisations=_member_organisations(), roles=ROLES,
                  errors=errors or {}, form=form or {})


@blp.route("/users", methods=["GET"])
@access.access(ADMIN)
def list_users():
    return _users_page()


@blp.route("/users", methods=["POST"])
@access.access(ADMIN)
def create_user():
    principal = current_principal()
    try:
        user = service.create_user(principal, load_form(UserInSchema(), USER_FIELDS))
    except AppError as exc:
        return _users_page(exc.status, form_errors(exc), request.form)
    link = absolute(f"/reset/{signin.issue_reset_link(principal, user.id)}")
    return render("admin/user.html", 201, user=user, link=link, roles=ROLES,
                  organisations=_member_organisations(), errors={})


@blp.route("/users/<uuid:user_id>", methods=["GET", "POST"])
@access.access(ADMIN)
def edit_user(user_id):
    user, errors, status = service.get_user(user_id), {}, 200
    if request.method == "POST":
        try:
            data = load_form(UserPatchSchema(), ("name", "role", "organisation_id"))
            data["active"] = request.form.get("active") == "on"
            service.update_user(current_principal(), user_id, data)
        except AppError as exc:
            errors, status = form_errors(exc), exc.status
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("admin.edit_user", user_id=user_id), code=303)
    return render("admin/user.html", status, user=user, link=None, roles=ROLES,
                  organisations=_member_organisations(), errors=errors)


@blp.route("/users/<uuid:user_id>/password-link", methods=["POST"])
@access.access(ADMIN)
def password_link(user_id):
    link = absolute(f"/reset/{signin.issue_reset_link(current_principal(), user_id)}")
    return render("admin/user.html", user=service.get_user(user_id), link=link, roles=ROLES,
                  organisations=_member_organisations(), errors={})


@blp.route("/users/<uuid:user_id>/reset-two-factor", methods=["POST"])
@access.access(ADMIN)
def reset_two_factor(user_id):
    signin.reset_two_factor(current_principal(), user_id)
    flash(_("Two-factor sign-in was reset: the user sets it up again at the next sign-in."),
          "info")
    return redirect(url_for("admin.edit_user", user_id=user_id), code=303)


def _organisations_page(status=200, errors=None, form=None):
    rows, following = queries.organisations(cursor=request.args.get("cursor"), limit=200)
    return render("admin/organisations.html", status, organisations=rows, following=following,
                  errors=errors or {}, form=form or {})


@blp.route("/organisations", methods=["GET"])
@access.access(ADMIN)
def list_organisations():
    return _organisations_page()


@blp.route("/organisations", methods=["POST"])
@access.access(ADMIN)
def create_organisation():
    try:
        organisation = service.create_organisation(
            current_principal(), load_form(OrganisationSchema(), ORGANISATION_FIELDS))
    except AppError as exc:
        return _organisations_page(exc.status, form_errors(exc), request.form)
    flash(_("Organisation %(name)s added.", name=organisation.name), "info")
    return redirect(url_for("admin.list_organisations"), code=303)


@blp.route("/organisations/<uuid:organisation_id>", methods=["GET", "POST"])
@access.access(ADMIN)
def edit_organisation(organisation_id):
    organisation, errors, status = service.get_organisation(organisation_id), {}, 200
    if request.method == "POST":
        try:
            data = load_form(OrganisationSchema(partial=True), ORGANISATION_FIELDS)
            data.setdefault("short_name", None)
            data.setdefault("country", None)
            service.update_organisation(current_principal(), organisation_id, data)
        except AppError as exc:
            errors, status = form_errors(exc), exc.status
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("admin.edit_organisation",
                                    organisation_id=organisation_id), code=303)
    return render("admin/organisation.html", status, organisation=organisation, errors=errors)
