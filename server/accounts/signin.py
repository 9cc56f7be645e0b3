"""Signing in and out, the second factor, password changes and reset links.

Each function is one transaction with its audit entries. Failures are committed too (the audit
entry and the throttle count must survive the refusal) and then raised as one generic error, so
the answer never tells whether an account exists.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..core import audit
from ..core.access import ANONYMOUS, Principal
from ..core.db import db
from ..core.errors import Conflict, NotFound, TooManyRequests, Unauthorized, ValidationFailed
from . import passwords, sessions, throttle, totp
from .models import PasswordReset, User, UserSession
from .tokens import RESET_PREFIX, digest, new_secret

SIGN_IN_FAILED = "Email or password is wrong."
CODE_FAILED = "That code is not valid."
RESET_HOURS = 72


@dataclass(frozen=True)
class Attempt:
    """Where a request came from, for the throttle and the audit log."""
    address: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class Started:
    """A new session row, to be adopted by the browser session (`sessions.ServerSession.adopt`)."""
    token: str
    row: UserSession
    user: User

    @property
    def complete(self) -> bool:
        return self.row.second_factor_at is not None or not self.user.needs_second_factor


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def as_principal(user: User) -> Principal:
    return Principal(kind="user", user_id=user.id, organisation_id=user.organisation_id,
                     role=user.access_role, email=user.email)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def typed_email(email: str) -> str:
    """What the audit log keeps of a typed email: people sometimes type their password into
    the email field, and the log keeps everything for good, so anything that does not look like
    an address is kept only as a hash prefix (enough to see repeated attempts)."""
    if "@" in email and " " not in email and len(email) <= 254:
        return email
    return "sha256:" + digest(email)[:16]


def _count_attempt(session: Session, keys: dict, attempt: Attempt,
                   email: str) -> throttle.Attempt:
    """Count this attempt before evaluating it (committed at once); refuse it when throttled."""
    counted = throttle.count_attempt(keys)
    if counted.wait:
        audit.record(session, "auth.sign_in_throttled", ANONYMOUS, address=attempt.address,
                     details={"email": typed_email(email), "retry_after": counted.wait})
        session.commit()
        raise TooManyRequests(f"Too many failed attempts. Try again in {counted.wait} seconds.",
                              headers={"Retry-After": str(counted.wait)})
    return counted


def _fail(session: Session, attempt: Attempt, action: str, message: str,
          user: User | None, details: dict) -> None:
    """The failure was counted before the check; keep its audit entry and refuse."""
    audit.record(session, action, ANONYMOUS, address=attempt.address,
                 target_type="user" if user else None, target_id=user.id if user else None,
                 details=details)
    session.commit()
    raise Unauthorized(message)


def _new_row(session: Session, user: User, old_sid: str | None, attempt: Attempt,
             second_factor: bool) -> Started:
    if old_sid:
        session.execute(delete(UserSession).where(UserSession.id == old_sid))
    token, row = sessions.create_row(session, user, second_factor=second_factor,
                                     address=attempt.address, user_agent=attempt.user_agent)
    return Started(token, row, user)


def _signed_in(session: Session, user: User, attempt: Attempt, how: str | None) -> None:
    user.last_sign_in_at = _now()
    audit.record(session, "auth.sign_in", as_principal(user), address=attempt.address,
                 target_type="user", target_id=user.id, details={"second_factor": how})


def sign_in(email: str, password: str, attempt: Attempt, old_sid: str | None = None) -> Started:
    """First step: the password. The session is complete unless a second factor is needed."""
    session = db.session
    email = normalise_email(email)
    counted = _count_attempt(session, throttle.keys_for(email, attempt.address), attempt, email)
    user = session.scalar(select(User).where(User.email == email))
    ok = passwords.verify(user.password_hash if user else None, password or "")
    if not ok or not user.active:
        reason = ("unknown account" if user is None else "deactivated" if ok
                  else "no password set" if not user.password_hash else "wrong password")
        _fail(session, attempt, "auth.sign_in_failed", SIGN_IN_FAILED, user,
              {"email": typed_email(email), "reason": reason})
    throttle.succeeded(session, counted)  # the password count only: not the second factor's
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    sessions.purge_expired(session, limit=500)
    started = _new_row(session, user, old_sid, attempt, second_factor=False)
    if started.complete:
        _signed_in(session, user, attempt, None)
    session.commit()
    return started


def second_factor(sid: str, code: str, attempt: Attempt) -> Started:
    """Second step: a TOTP code or a recovery code. A new session id on success."""
    session = db.session
    row = session.get(UserSession, sid, with_for_update=True) if sid else None
    user = session.get(User, row.user_id) if row and row.user_id else None
    if user is None or not user.active:
        raise Unauthorized("Sign in with your password first.")
    if not user.two_factor_enabled:
        raise Conflict("Set up two-factor sign-in first.")
    counted = _count_attempt(session, throttle.second_factor_keys(user.id, attempt.address),
                             attempt, user.email)
    how = None
    step = totp.matching_step(user.totp_secret, code or "", user.totp_last_step)
    if step is not None:
        user.totp_last_step, how = step, "totp"
    elif totp.use_recovery_code(session, user, code or ""):
        how = "recovery_code"
    if how is None:
        _fail(session, attempt, "auth.second_factor_failed", CODE_FAILED, user,
              {"email": user.email})
    throttle.succeeded(session, counted)
    started = _new_row(session, user, sid, attempt, second_factor=True)
    _signed_in(session, user, attempt, how)
    session.commit()
    return started


def enrol_totp(sid: str, user_id: uuid.UUID, secret: str, code: str,
               attempt: Attempt) -> tuple[list[str], Started]:
    """Turn on TOTP with the secret the user just scanned; returns the recovery codes once."""
    session = db.session
    user = session.scalar(select(User).where(User.id == user_id).with_for_update(of=User))
    if user is None or not user.active:
        raise Unauthorized("Sign in with your password first.")
    if user.two_factor_enabled:
        raise Conflict("Two-factor sign-in is already set up; an admin can reset it.")
    step = totp.matching_step(secret, code or "", None)
    if step is None:
        raise ValidationFailed.field("code", "That code does not match: check that your phone's "
                                             "clock is right and enter the current code.")
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, _now(), step
    codes = totp.new_recovery_codes(session, user)
    audit.record(session, "auth.totp_enrolled", as_principal(user), address=attempt.address,
                 target_type="user", target_id=user.id)
    row = session.get(UserSession, sid) if sid else None
    completing = row is not None and row.second_factor_at is None
    started = _new_row(session, user, sid, attempt, second_factor=True)
    if completing:
        _signed_in(session, user, attempt, "totp_enrolment")
    session.commit()
    return codes, started


def regenerate_recovery_codes(principal: Principal) -> list[str]:
    session = db.session
    user = session.get(User, principal.user_id)
    if not user.two_factor_enabled:
        raise Conflict("Set up two-factor sign-in first.")
    codes = totp.new_recovery_codes(session, user)
    audit.record(session, "auth.recovery_codes_renewed", principal, target_type="user",
                 target_id=user.id)
    session.commit()
    return codes


def reset_two_factor(actor: Principal, user_id: uuid.UUID) -> User:
    """Admin: the user lost their phone and codes. They enrol again at their next sign-in."""
    session = db.session
    user = _user(session, user_id)
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    totp.clear_recovery_codes(session, user)
    end_all_sessions(session, user.id)
    audit.record(session, "auth.totp_reset", actor, target_type="user", target_id=user.id)
    session.commit()
    return user


def sign_out(sid: str | None, principal: Principal, attempt: Attempt) -> None:
    session = db.session
    if sid:
        session.execute(delete(UserSession).where(UserSession.id == sid))
    if principal.user_id:
        audit.record(session, "auth.sign_out", principal, address=attempt.address,
                     target_type="user", target_id=principal.user_id)
    session.commit()


def change_password(principal: Principal, sid: str, current: str, new: str,
                    attempt: Attempt) -> None:
    """Needs the current password; every other session of the user is signed out."""
    session = db.session
    user = _user(session, principal.user_id)
    counted = _count_attempt(session, throttle.keys_for(user.email, attempt.address), attempt,
                             user.email)
    if not passwords.verify(user.password_hash, current or ""):
        audit.record(session, "auth.password_change_failed", principal, address=attempt.address,
                     target_type="user", target_id=user.id)
        session.commit()
        raise ValidationFailed.field("current_password", "This is not your current password.")
    throttle.succeeded(session, counted)
    _set_password(session, user, new)
    session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                              UserSession.id != sid))
    audit.record(session, "auth.password_changed", principal, address=attempt.address,
                 target_type="user", target_id=user.id)
    session.commit()


def _set_password(session: Session, user: User, password: str) -> None:
    passwords.check_policy(password, user.email)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = _now()


# --- one-time reset links -------------------------------------------------------------------

def issue_reset_link(actor: Principal, user_id: uuid.UUID, hours: int = RESET_HOURS) -> str:
    """A new one-time link replaces any earlier unused one. Returns the secret part."""
    session = db.session
    user = _user(session, user_id)
    session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id,
                                                PasswordReset.used_at.is_(None))
                    .values(used_at=_now()))
    raw = new_secret(RESET_PREFIX)
    session.add(PasswordReset(id=uuid.uuid4(), user_id=user.id, token_hash=digest(raw),
                              created_by=actor.user_id,
                              expires_at=_now() + timedelta(hours=hours)))
    audit.record(session, "auth.reset_link_issued", actor, target_type="user",
                 target_id=user.id, details={"valid_hours": hours})
    session.commit()
    return raw


def _valid_reset(session: Session, raw: str, lock: bool = False) -> PasswordReset | None:
    query = select(PasswordReset).where(PasswordReset.token_hash == digest(raw or ""),
                                        PasswordReset.used_at.is_(None),
                                        PasswordReset.expires_at > _now())
    return session.scalar(query.with_for_update() if lock else query)


def reset_link_user(raw: str) -> User | None:
    link = _valid_reset(db.session, raw)
    return db.session.get(User, link.user_id) if link else None


def reset_password(raw: str, new: str, attempt: Attempt) -> User:
    session = db.session
    link = _valid_reset(session, raw, lock=True)
    user = session.get(User, link.user_id) if link else None
    if user is None or not user.active:
        raise NotFound("This link is not valid: it was used, has expired or was replaced.")
    _set_password(session, user, new)
    link.used_at = _now()
    end_all_sessions(session, user.id)
    audit.record(session, "auth.password_reset", as_principal(user), address=attempt.address,
                 target_type="user", target_id=user.id)
    session.commit()
    return user


# --- helpers --------------------------------------------------------------------------------

def _user(session: Session, user_id) -> User:
    user = session.get(User, user_id) if user_id else None
    if user is None:
        raise NotFound(f"No user {user_id}.")
    return user


def end_all_sessions(session: Session, user_id: uuid.UUID) -> None:
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))
