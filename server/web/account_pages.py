"""Signing in and out, two-factor enrolment, password change and reset links (pages)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..accounts import passwords, sessions, signin, totp
from ..accounts import service as accounts
from ..accounts.models import User
from ..accounts.qr import svg_data_uri
from ..core import access
from ..core.access import PARTNER_ROLE, current_principal
from ..core.db import db
from ..core.errors import AppError, NotFound, ValidationFailed
from .pages import form_errors, install, render, safe_next

blp = install(Blueprint("account", __name__, template_folder="templates"))
TOTP_SECRET = "totp_secret"  # session key of a secret being enrolled


def attempt() -> signin.Attempt:
    return signin.Attempt(request.remote_addr, request.user_agent.string)


def home_for(principal) -> str:
    """Coordinators start on the map; admins on the users (the map's facility conditions and
    incidents are a coordinator's view: an admin's would show only grey facilities)."""
    views = current_app.view_functions
    if principal.role == "coordinator" and "map_workspace.workspace" in views:
        return url_for("map_workspace.workspace")
    if principal.role == PARTNER_ROLE and "case_pages.inbox" in views:
        return url_for("case_pages.inbox")
    if principal.role == "admin" and "admin.list_users" in views:
        return url_for("admin.list_users")
    return url_for("account.overview")


def next_target() -> str | None:
    """The same-site path to return to after signing in, or None (never another site)."""
    return safe_next(request.values.get("next"), None)


def form_status(exc: AppError) -> int:
    """A refused sign-in step comes back as the form with its message: 422, or 429 with
    Retry-After when throttled (a 401 would need a WWW-Authenticate challenge)."""
    return 429 if exc.status == 429 else 422


def after_step(started: signin.Started, target: str | None):
    """Where the browser goes after a sign-in step."""
    if started.complete:
        return redirect(target or home_for(signin.as_principal(started.user)), code=303)
    step = "account.two_factor" if started.user.two_factor_enabled else "account.enrol"
    return redirect(url_for(step, next=target), code=303)


@blp.route("/", methods=["GET"])
@access.access(access.public)
def home():
    principal = current_principal()
    if not principal.authenticated:
        return redirect(url_for("account.sign_in"))
    return redirect(home_for(principal))


@blp.route("/sign-in", methods=["GET", "POST"])
@access.access(access.public)
def sign_in():
    current, target = sessions.current(), next_target()
    if current.signed_in:
        return redirect(target or home_for(current_principal()))
    if current.pending_user and request.method == "GET":
        return redirect(url_for("account.two_factor", next=target))
    email = request.form.get("email", "")
    if request.method == "POST":
        try:
            started = signin.sign_in(email, request.form.get("password", ""), attempt(),
                                     current.sid)
        except AppError as exc:
            return render("sign_in.html", form_status(exc), exc.headers, error=exc.detail,
                          email=email, next=target)
        current.adopt(started.token, started.row, started.user)
        return after_step(started, target)
    return render("sign_in.html", email=email, next=target)


@blp.route("/sign-in/two-factor", methods=["GET", "POST"])
@access.access(access.public)
def two_factor():
    current, target = sessions.current(), next_target()
    pending = current.pending_user
    if pending is None:
        return redirect(url_for("account.sign_in", next=target))
    user = db.session.get(User, pending.id)
    if not user.two_factor_enabled:
        return redirect(url_for("account.enrol", next=target))
    if request.method == "POST":
        try:
            started = signin.second_factor(current.sid, request.form.get("code", ""), attempt())
        except AppError as exc:
            return render("two_factor.html", form_status(exc), exc.headers, error=exc.detail,
                          next=target)
        current.adopt(started.token, started.row, started.user)
        return after_step(started, target)
    return render("two_factor.html", next=target)


@blp.route("/sign-out", methods=["POST"])
@access.access(access.public)
def sign_out():
    current = sessions.current()
    signin.sign_out(current.sid, current_principal(), attempt())
    current.end()
    flash(_("You are signed out."), "info")
    return redirect(url_for("account.sign_in"), code=303)


@blp.route("/account", methods=["GET"])
@access.access(access.signed_in)
def overview():
    user = db.session.get(User, current_principal().user_id)
    return render("account.html", user=user,
                  codes_left=totp.recovery_codes_left(db.session, user.id), errors={})


@blp.route("/account/calendar", methods=["POST"])
@access.access(access.signed_in)
def choose_calendar():
    """The calendar of every date the pages show this person; a blank choice: the language's."""
    choice = request.form.get("calendar", "").strip() or None
    try:
        accounts.set_calendar(current_principal(), choice)
    except AppError as exc:
        user = db.session.get(User, current_principal().user_id)
        return render("account.html", exc.status, exc.headers, user=user,
                      codes_left=totp.recovery_codes_left(db.session, user.id),
                      errors=form_errors(exc))
    flash(_("Dates are now shown in the calendar you chose."), "info")
    return redirect(url_for("account.overview"), code=303)


@blp.route("/account/password", methods=["GET", "POST"])
@access.access(access.signed_in)
def change_password():
    if request.method == "POST":
        form = request.form
        try:
            _same(form.get("new_password", ""), form.get("confirm_password", ""))
            signin.change_password(current_principal(), sessions.current().sid,
                                   form.get("current_password", ""),
                                   form.get("new_password", ""), attempt())
        except AppError as exc:
            return render("password.html", exc.status, exc.headers, errors=form_errors(exc))
        flash(_("Your password is changed; your other sessions are signed out."), "info")
        return redirect(url_for("account.overview"), code=303)
    return render("password.html", errors={})


def _same(password: str, confirmation: str, field: str = "new_password") -> None:
    if password != confirmation:
        raise ValidationFailed.field("confirm_password", _("The two passwords differ."))
    passwords.check_policy(password, field=field)


@blp.route("/account/two-factor", methods=["GET", "POST"])
@access.access(access.public)  # also for a password-only session that must enrol first
def enrol():
    current, target = sessions.current(), next_target()
    who = current.user if (current.signed_in or current.pending_user) else None
    if who is None:
        return redirect(url_for("account.sign_in", next=request.full_path.rstrip("?")))
    user = db.session.get(User, who.id)
    if user.two_factor_enabled:
        if not current.signed_in:
            return redirect(url_for("account.two_factor", next=target))
        return render("two_factor_status.html", user=user,
                      codes_left=totp.recovery_codes_left(db.session, user.id))
    secret = current.get(TOTP_SECRET)
    if secret is None:
        secret = current[TOTP_SECRET] = totp.new_secret()
    errors = {}
    if request.method == "POST":
        try:
            codes, started = signin.enrol_totp(current.sid, user.id, secret,
                                               request.form.get("code", ""), attempt())
        except AppError as exc:
            errors = form_errors(exc)
        else:
            current.adopt(started.token, started.row, started.user)
            return render("recovery_codes.html", codes=codes,
                          continue_to=target or home_for(signin.as_principal(user)))
    uri = totp.provisioning_uri(secret, user.email)
    return render("enrol.html", 422 if errors else 200, errors=errors, secret=secret,
                  qr=svg_data_uri(uri), forced=not current.signed_in, next=target)


@blp.route("/account/two-factor/recovery-codes", methods=["POST"])
@access.access(access.signed_in)
def renew_recovery_codes():
    codes = signin.regenerate_recovery_codes(current_principal())
    return render("recovery_codes.html", codes=codes, continue_to=url_for("account.overview"))


@blp.route("/reset/<reset_token>", methods=["GET", "POST"])
@access.access(access.public)
def reset_password(reset_token):
    user = signin.reset_link_user(reset_token)
    if user is None:
        raise NotFound(_("This link is not valid: it was used, has expired or was replaced. "
                         "Ask an admin for a new one."))
    if request.method == "POST":
        form = request.form
        try:
            _same(form.get("new_password", ""), form.get("confirm_password", ""))
            signin.reset_password(reset_token, form.get("new_password", ""), attempt())
        except AppError as exc:
            return render("reset.html", exc.status, errors=form_errors(exc), user=user)
        flash(_("Your password is set. Sign in with it."), "info")
        return redirect(url_for("account.sign_in"), code=303)
    return render("reset.html", errors={}, user=user)
