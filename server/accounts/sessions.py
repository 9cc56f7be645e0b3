"""Server-side browser sessions behind Flask's `session`.

The cookie (HttpOnly, SameSite=Lax, Secure under HTTPS) holds only a random token; the row in
`user_sessions` (keyed by its sha256) holds who signed in, whether the second factor was given,
the CSRF token and a little data (flash messages, a TOTP secret being enrolled). Signing in
always starts a new row with a new token (no session fixation); signing out deletes the row.
Rows are written by the sign-in services in their transaction, and otherwise only in
`save_session` when the data changed. A visitor who has not given a password has no row: their
CSRF token and flashes ride in a signed cookie (`anonymous.py`), so page views by anyone cost no
storage. Expired rows are purged by the periodic job `sessions.purge` (server/jobs/housekeeping.py,
every ten minutes) or by hand with `flask sessions purge`.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import Flask, Request, Response, request, session
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.datastructures import CallbackDict

from ..core import outage
from ..core.db import side_transaction
from . import anonymous
from .models import User, UserSession
from .tokens import digest, new_secret

ANONYMOUS_IDLE = timedelta(hours=2)  # a form filled in before signing in
PENDING_IDLE = timedelta(minutes=20)  # password given; second factor (or enrolment) to come
SIGNED_IN_IDLE = timedelta(hours=8)
SIGNED_IN_MAX = timedelta(hours=24)  # from the sign-in, however active the session
TOUCH_EVERY = timedelta(minutes=5)
PURGE_BATCH = 1000
ANONYMOUS_COOKIE = anonymous.COOKIE


def now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class SessionUser:
    id: uuid.UUID
    organisation_id: uuid.UUID
    role: str
    email: str
    active: bool
    needs_second_factor: bool

    @classmethod
    def of(cls, user: User) -> "SessionUser":
        return cls(user.id, user.organisation_id, user.access_role, user.email, user.active,
                   user.needs_second_factor)


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, data: dict | None = None):
        def on_update(self_):
            self_.modified = True
        super().__init__(data or {}, on_update)
        self.sid: str | None = None  # the row's id; None until stored
        self.token: str | None = None  # a raw token that must be sent as the cookie
        self.csrf: str | None = None
        self.user: SessionUser | None = None
        self.second_factor_at: datetime | None = None
        self.modified = False
        self.drop_cookie = False
        self.unavailable: Exception | None = None  # the database error that kept it unread

    @property
    def signed_in(self) -> bool:
        """Fully signed in: the password, and the second factor where one is needed."""
        return bool(self.user and self.user.active and (
            not self.user.needs_second_factor or self.second_factor_at is not None))

    @property
    def pending_user(self) -> SessionUser | None:
        """Password accepted, second factor (or its enrolment) still to come."""
        if self.user and self.user.active and not self.signed_in:
            return self.user
        return None

    def adopt(self, token: str, row: UserSession, user: User) -> None:
        """This request now speaks for a freshly created row (after a sign-in step)."""
        super().clear()
        self.sid, self.token, self.csrf = row.id, token, row.csrf_token
        self.user, self.second_factor_at = SessionUser.of(user), row.second_factor_at
        self.modified = False

    def end(self) -> None:
        """The row is gone (signed out): forget everything, drop the cookie."""
        super().clear()
        self.sid = self.token = self.csrf = None
        self.user = self.second_factor_at = None
        self.modified, self.drop_cookie = False, True


def idle_for(user_id, second_factor_done: bool, needs_second_factor: bool) -> timedelta:
    if user_id is None:
        return ANONYMOUS_IDLE
    return SIGNED_IN_IDLE if second_factor_done or not needs_second_factor else PENDING_IDLE


def create_row(db: Session, user: User | None, *, second_factor: bool = False,
               address: str | None = None, user_agent: str | None = None,
               data: dict | None = None) -> tuple[str, UserSession]:
    token, at = new_secret(), now()
    row = UserSession(
        id=digest(token), user_id=user.id if user else None, csrf_token=new_secret(),
        data=data or {}, authenticated_at=at if user else None,
        second_factor_at=at if (user and second_factor) else None,
        address=address, user_agent=(user_agent or "")[:300] or None, last_seen_at=at,
        expires_at=at + idle_for(user.id if user else None, second_factor,
                                 bool(user and user.needs_second_factor)))
    db.add(row)
    db.flush()
    return token, row


def _load(token: str) -> ServerSession:
    current = ServerSession()
    with side_transaction() as db:
        found = db.execute(select(UserSession, User).outerjoin(User)
                           .where(UserSession.id == digest(token),
                                  UserSession.expires_at > now())).first()
        if found is None:
            current.drop_cookie = True
            return current
        row, user = found
        current.update(row.data or {})
        current.sid, current.csrf, current.second_factor_at = row.id, row.csrf_token, \
            row.second_factor_at
        current.user = SessionUser.of(user) if user else None
        if row.last_seen_at < now() - TOUCH_EVERY:
            _touch(db, row, user)
    current.modified = False
    return current


def _touch(db: Session, row: UserSession, user: User | None) -> None:
    """Slide the idle expiry, never past the absolute limit after sign-in."""
    expires = now() + idle_for(row.user_id, row.second_factor_at is not None,
                               bool(user and user.needs_second_factor))
    if row.authenticated_at is not None:
        expires = min(expires, row.authenticated_at + SIGNED_IN_MAX)
    db.execute(text("UPDATE user_sessions SET last_seen_at = now(), expires_at = :e "
                    "WHERE id = :id"), {"e": expires, "id": row.id})


class ServerSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> ServerSession:
        if request.path.startswith((app.static_url_path or "/static") + "/"):
            return ServerSession()
        token = request.cookies.get(self.get_cookie_name(app))
        current = ServerSession()
        if token:
            try:
                current = _load(token)
            except OperationalError as exc:  # database down: static files and /healthz still
                outage.note(exc)  # answer; logged once per outage, not once per request
                current.unavailable = exc  # the session authenticator answers 503 with it
                return current
        if current.sid is None:
            _load_anonymous(app, request, current)
        return current

    def save_session(self, app: Flask, current: SessionMixin, response: Response) -> None:
        if not isinstance(current, ServerSession):
            return
        if current.sid is None and not current.token:
            self._save_anonymous(app, current, response)
        elif current.modified:
            self._store(current)
        if current.token:
            if request.cookies.get(ANONYMOUS_COOKIE):
                self._drop(app, response, ANONYMOUS_COOKIE)
            response.set_cookie(
                self.get_cookie_name(app), current.token, httponly=True,
                domain=self.get_cookie_domain(app), path=self.get_cookie_path(app),
                secure=self.get_cookie_secure(app) or request.is_secure,
                samesite=self.get_cookie_samesite(app))
            response.vary.add("Cookie")
        elif current.drop_cookie:
            self._drop(app, response, self.get_cookie_name(app))

    def _drop(self, app: Flask, response: Response, name: str) -> None:
        response.delete_cookie(name, domain=self.get_cookie_domain(app),
                               path=self.get_cookie_path(app))

    def _save_anonymous(self, app: Flask, current: ServerSession, response: Response) -> None:
        """No row for a visitor: the CSRF token and data go back in the signed cookie."""
        if not current.modified:
            return
        value = anonymous.dump(app, current.csrf, dict(current)) \
            if (current.csrf or len(current)) else None
        if value is None:
            self._drop(app, response, ANONYMOUS_COOKIE)
            return
        response.set_cookie(
            ANONYMOUS_COOKIE, value, httponly=True, domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app), max_age=int(ANONYMOUS_IDLE.total_seconds()),
            secure=self.get_cookie_secure(app) or request.is_secure,
            samesite=self.get_cookie_samesite(app))
        response.vary.add("Cookie")

    @staticmethod
    def _store(current: ServerSession) -> None:
        """The row's data and CSRF token changed. A row deleted meanwhile (signed out
        elsewhere) is not brought back: the next request is anonymous."""
        with side_transaction() as db:
            db.execute(text(
                "UPDATE user_sessions SET data = CAST(:data AS jsonb), csrf_token = :csrf "
                "WHERE id = :id"), {"data": json.dumps(dict(current), default=str),
                                    "csrf": current.csrf, "id": current.sid})


def _load_anonymous(app: Flask, request: Request, current: ServerSession) -> None:
    csrf, data = anonymous.load(app, request.cookies.get(ANONYMOUS_COOKIE), ANONYMOUS_IDLE)
    current.csrf = csrf
    current.update(data)
    current.modified = False


def purge_expired(db: Session, limit: int | None = PURGE_BATCH) -> int:
    """Delete expired rows (oldest first, at most `limit`); returns how many."""
    if limit is None:
        return db.execute(text("DELETE FROM user_sessions WHERE expires_at < now()")).rowcount
    return db.execute(text("""DELETE FROM user_sessions WHERE id IN (
        SELECT id FROM user_sessions WHERE expires_at < now() ORDER BY expires_at
        LIMIT :limit)"""), {"limit": limit}).rowcount


def current() -> ServerSession:
    """Flask's `session`, which is always ours once accounts are initialised."""
    return session._get_current_object()  # type: ignore[attr-defined]
