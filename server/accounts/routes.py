"""Accounts API: the current session, users and organisations (thin: schema in, service, out)."""
from __future__ import annotations

from flask import jsonify

from ..core import access, pagination
from ..core.access import current_principal
from ..core.db import db
from ..core.http import Blueprint
from ..core.openapi import list_schema
from ..core.urls import absolute
from . import queries, service, signin
from .csrf import csrf_token
from .models import User
from .schemas import (
    LinkSchema,
    OrganisationListArgs,
    OrganisationPatchSchema,
    OrganisationSchema,
    SessionSchema,
    UserCreatedSchema,
    UserInSchema,
    UserListArgs,
    UserPatchSchema,
    UserSchema,
)
from .sessions import current as current_session

blp = Blueprint("accounts", __name__, url_prefix="/api",
                description="Who you are; users and organisations (admins).")

ADMIN = access.role("admin")


def reset_url(raw: str) -> str:
    return absolute(f"/reset/{raw}")


@blp.route("/auth/session", methods=["GET"])
@access.access(access.public)
@blp.response(200, SessionSchema)
def get_session():
    """Who is calling, and the CSRF token for writes made with the session cookie."""
    principal, current = current_principal(), current_session()
    user = db.session.get(User, principal.user_id) if principal.kind == "user" else None
    return {"signed_in": principal.authenticated, "kind": principal.kind,
            "pending_second_factor": current.pending_user is not None,
            "csrf_token": csrf_token(), "user": user}


@blp.route("/users", methods=["GET"])
@access.access(ADMIN)
@blp.arguments(UserListArgs, location="query", as_kwargs=True)
@blp.alt_response(200, schema=list_schema(UserSchema), success=True)
def list_users(limit, cursor=None, **filters):
    """Users, by email; filter by organisation, role, active or part of the email or name."""
    rows, following = queries.users(cursor=cursor, limit=limit, **filters)
    return jsonify(pagination.dumped(UserSchema(many=True), rows, following))


@blp.route("/users", methods=["POST"])
@access.access(ADMIN)
@blp.arguments(UserInSchema)
@blp.response(201, UserCreatedSchema)
def create_user(data):
    """Create a user. Without a password, the answer carries a one-time set-password link."""
    principal = current_principal()
    user = service.create_user(principal, data)
    link = None if data.get("password") else reset_url(signin.issue_reset_link(principal, user.id))
    return {"user": user, "password_link": link}


@blp.route("/users/<uuid:user_id>", methods=["GET"])
@access.access(ADMIN)
@blp.response(200, UserSchema)
def get_user(user_id):
    """One user."""
    return service.get_user(user_id)


@blp.route("/users/<uuid:user_id>", methods=["PATCH"])
@access.access(ADMIN)
@blp.arguments(UserPatchSchema)
@blp.response(200, UserSchema)
def update_user(data, user_id):
    """Change name, role, organisation, or deactivate (which signs the user out everywhere)."""
    return service.update_user(current_principal(), user_id, data)


@blp.route("/users/<uuid:user_id>/password-link", methods=["POST"])
@access.access(ADMIN)
@blp.response(201, LinkSchema)
def issue_password_link(user_id):
    """A one-time link for the user to set a new password (replaces any earlier one)."""
    raw = signin.issue_reset_link(current_principal(), user_id)
    return {"password_link": reset_url(raw), "expires_in_hours": signin.RESET_HOURS}


@blp.route("/users/<uuid:user_id>/two-factor", methods=["DELETE"])
@access.access(ADMIN)
@blp.response(200, UserSchema)
def reset_two_factor(user_id):
    """Turn off the user's TOTP (lost phone); they enrol again at their next sign-in."""
    return signin.reset_two_factor(current_principal(), user_id)


@blp.route("/organisations", methods=["GET"])
@access.access(access.signed_in)
@blp.arguments(OrganisationListArgs, location="query", as_kwargs=True)
@blp.alt_response(200, schema=list_schema(OrganisationSchema), success=True)
def list_organisations(limit, cursor=None, kind=None):
    """Organisations of the coalition and partner agencies, by name."""
    rows, following = queries.organisations(kind=kind, cursor=cursor, limit=limit)
    return jsonify(pagination.dumped(OrganisationSchema(many=True), rows, following))


@blp.route("/organisations", methods=["POST"])
@access.access(ADMIN)
@blp.arguments(OrganisationSchema)
@blp.response(201, OrganisationSchema)
def create_organisation(data):
    """Add a coalition member or a partner agency."""
    return service.create_organisation(current_principal(), data)


@blp.route("/organisations/<uuid:organisation_id>", methods=["GET"])
@access.access(access.signed_in)
@blp.response(200, OrganisationSchema)
def get_organisation(organisation_id):
    """One organisation."""
    return service.get_organisation(organisation_id)


@blp.route("/organisations/<uuid:organisation_id>", methods=["PATCH"])
@access.access(ADMIN)
@blp.arguments(OrganisationPatchSchema(partial=True))
@blp.response(200, OrganisationSchema)
def update_organisation(data, organisation_id):
    """Rename or re-describe an organisation."""
    return service.update_organisation(current_principal(), organisation_id, data)
