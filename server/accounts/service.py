"""Users and organisations: create and change them (admins, the CLI, the demo). Audited."""
from __future__ import annotations

import uuid

from sqlalchemy import func, select

from ..core import audit
from ..core.access import Principal
from ..core.calendars import CALENDARS
from ..core.db import db
from ..core.errors import Conflict, NotFound, ValidationFailed
from . import credentials, passwords
from .models import ROLES, Organisation, User
from .signin import end_all_sessions, normalise_email

USER_FIELDS = ("name", "role", "organisation_id", "active")
ORGANISATION_FIELDS = ("name", "short_name", "kind", "country")


def cli_principal() -> Principal:
    """Who acts when an operator runs a `flask` command on the server: all admin powers (the
    operator could edit the database anyway), recorded in the audit log as kind `cli`."""
    return Principal(kind="cli", role="admin")


def get_user(user_id: uuid.UUID) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id}.")
    return user


def find_user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"No user with the email {email!r}.")
    return user


def get_organisation(organisation_id: uuid.UUID) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(f"No organisation {organisation_id}.")
    return organisation


def find_organisation(name: str) -> Organisation:
    """By name or short name, case-insensitively (the CLI's way of naming one)."""
    wanted = name.strip().lower()
    organisation = db.session.scalar(select(Organisation).where(
        (func.lower(Organisation.name) == wanted) |
        (func.lower(Organisation.short_name) == wanted)))
    if organisation is None:
        raise NotFound(f"No organisation named {name!r}.")
    return organisation


# A protection partner's people (issue 19) have accounts of this stored role only: it always
# asks a second factor; the gate sees them as core.access.PARTNER_ROLE (their inbox and key).
PARTNER_ACCOUNT_ROLE = "coordinator"


def _member_organisation(organisation_id, role: str | None) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None:
        raise ValidationFailed.field("organisation_id", "No such organisation.")
    if organisation.kind != "coalition_member" and role != PARTNER_ACCOUNT_ROLE:
        raise ValidationFailed.field("organisation_id", "A partner organisation's people have "
                                                        "coordinator accounts only (they open "
                                                        "the cases referred to it).")
    return organisation


def create_user(actor: Principal, data: dict, *, demo: bool = False,
                user_id: uuid.UUID | None = None) -> User:
    session = db.session
    email = normalise_email(data["email"])
    if session.scalar(select(User.id).where(User.email == email)):
        raise Conflict(f"email: {email} already has an account.",
                       {"email": ["Already has an account."]})
    organisation = _member_organisation(data.get("organisation_id"), data.get("role"))
    if data.get("role") not in ROLES:
        raise ValidationFailed.field("role", f"Must be one of {', '.join(ROLES)}.")
    user = User(id=user_id or uuid.uuid4(), email=email, name=data["name"], role=data["role"],
                organisation_id=organisation.id, active=True, demo=demo)
    if data.get("password"):
        passwords.check_policy(data["password"], email)
        user.password_hash = passwords.hash_password(data["password"])
    session.add(user)
    session.flush()
    audit.record(session, "user.create", actor, target_type="user", target_id=user.id,
                 details={"email": email, "role": user.role,
                          "organisation_id": str(organisation.id)})
    session.commit()
    return user


def update_user(actor: Principal, user_id: uuid.UUID, data: dict) -> User:
    session = db.session
    user = get_user(user_id)
    changes = {k: v for k, v in data.items() if k in USER_FIELDS and getattr(user, k) != v}
    if "organisation_id" in changes or "role" in changes:
        _member_organisation(changes.get("organisation_id", user.organisation_id),
                             changes.get("role", user.role))
    if "role" in changes and changes["role"] not in ROLES:
        raise ValidationFailed.field("role", f"Must be one of {', '.join(ROLES)}.")
    if user.role == "admin" and user.active and (
            changes.get("role", "admin") != "admin" or changes.get("active") is False):
        _keep_one_admin(user)
    before = {k: str(getattr(user, k)) for k in changes}
    for key, value in changes.items():
        setattr(user, key, value)
    details = {k: [before[k], str(v)] for k, v in changes.items()}
    if changes.get("active") is False or "organisation_id" in changes:
        end_all_sessions(session, user.id)  # their access changed under them: sign in again
    if "organisation_id" in changes:  # a phone set up for the old organisation serves it no more
        details["revoked_device_tokens"] = credentials.revoke_devices_of(session, user.id, actor)
    if changes:
        audit.record(session, "user.update", actor, target_type="user", target_id=user.id,
                     details=details)
    session.commit()
    return user


def _keep_one_admin(user: User) -> None:
    others = db.session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active, User.id != user.id))
    if not others:
        raise Conflict("This is the last active admin: make another admin first.")


def create_organisation(actor: Principal, data: dict, *, demo: bool = False,
                        organisation_id: uuid.UUID | None = None) -> Organisation:
    session = db.session
    _unique_name(data["name"])
    organisation = Organisation(id=organisation_id or uuid.uuid4(), demo=demo,
                                **{k: data.get(k) for k in ORGANISATION_FIELDS if k in data})
    session.add(organisation)
    session.flush()
    audit.record(session, "organisation.create", actor, target_type="organisation",
                 target_id=organisation.id,
                 details={"name": organisation.name, "kind": organisation.kind})
    session.commit()
    return organisation


def update_organisation(actor: Principal, organisation_id: uuid.UUID, data: dict) -> Organisation:
    session = db.session
    organisation = get_organisation(organisation_id)
    changes = {k: v for k, v in data.items()
               if k in ORGANISATION_FIELDS and getattr(organisation, k) != v}
    if "name" in changes:
        _unique_name(changes["name"], organisation.id)
    if changes.get("kind") == "partner" and session.scalar(
            select(User.id).where(User.organisation_id == organisation.id).limit(1)):
        raise Conflict("kind: this organisation has user accounts; partners have keys only.",
                       {"kind": ["Has user accounts."]})
    before = {k: getattr(organisation, k) for k in changes}
    for key, value in changes.items():
        setattr(organisation, key, value)
    if changes:
        audit.record(session, "organisation.update", actor, target_type="organisation",
                     target_id=organisation.id,
                     details={k: [before[k], v] for k, v in changes.items()})
    session.commit()
    return organisation


def _unique_name(name: str, own_id: uuid.UUID | None = None) -> None:
    clash = db.session.scalar(select(Organisation.id).where(
        func.lower(Organisation.name) == name.strip().lower()))
    if clash and clash != own_id:
        raise Conflict(f"name: an organisation named {name!r} exists.",
                       {"name": ["Already used."]})


def set_calendar(actor: Principal, calendar: str | None) -> User:
    """The calendar the pages show the signed-in person's dates in (None: their language's)."""
    if calendar is not None and calendar not in CALENDARS:
        raise ValidationFailed.field("calendar", f"Must be one of {', '.join(CALENDARS)}.")
    user = get_user(actor.user_id)
    user.calendar = calendar
    db.session.commit()
    return user
