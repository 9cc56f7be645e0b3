"""Factories: real rows through the ORM, in the test's transaction."""
from __future__ import annotations

import functools
import itertools
import uuid
from datetime import datetime, timedelta, timezone

import pyotp
from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from server.accounts import passwords, tokens
from server.accounts import sessions as account_sessions
from server.accounts.models import SECOND_FACTOR_ROLES, DeviceToken, Organisation, PartnerKey, User
from server.facilities.models import Facility

_seq = itertools.count(1)


def organisation(session, **overrides) -> Organisation:
    n = next(_seq)
    org = Organisation(id=uuid.uuid4(), name=overrides.pop("name", f"Test organisation {n}"),
                       short_name=f"T{n}", kind=overrides.pop("kind", "coalition_member"),
                       **overrides)
    session.add(org)
    session.flush()
    return org


def facility(session, lon: float = 71.08, lat: float = 34.11, **overrides) -> Facility:
    n = next(_seq)
    values = dict(id=uuid.uuid4(), kind="border_crossing", name=f"Facility {n:04d}",
                  country="AFG", admin1="Nangarhar", status="open",
                  location=from_shape(Point(lon, lat), srid=4326))
    values.update(overrides)
    fac = Facility(**values)
    session.add(fac)
    session.flush()
    return fac


# --- accounts ------------------------------------------------------------------------------
# Users get a real argon2id hash, computed once per password (hashing is slow on purpose).

DEFAULT_PASSWORD = "correct horse battery staple"
_make_organisation = organisation


@functools.lru_cache(maxsize=8)
def password_hash(password: str) -> str:
    return passwords.hash_password(password)


def user(session, role: str = "monitor", organisation=None, password: str | None = DEFAULT_PASSWORD,
         *, totp: bool | None = None, **overrides) -> User:
    """A user of `organisation` (a new coalition member by default). Admins and coordinators
    come with TOTP enrolled (`user.totp_secret`), as they must be; pass totp=False to get one
    who still has to enrol, or totp=True for a monitor who chose to."""
    n = next(_seq)
    org = organisation or _make_organisation(session)
    values = dict(id=uuid.uuid4(), organisation_id=org.id, email=f"user{n}@example.org",
                  name=f"Test {role} {n}", role=role, active=True,
                  password_hash=password_hash(password) if password else None)
    if (role in SECOND_FACTOR_ROLES) if totp is None else totp:
        values.update(totp_secret=pyotp.random_base32(), totp_enabled_at=datetime.now(timezone.utc))
    values.update(overrides)
    account = User(**values)
    session.add(account)
    session.flush()
    return account


def device_token(session, user: User, *, days: int = 30, revoked: bool = False,
                 label: str = "Test phone") -> str:
    """A monitor's device token; returns the raw token (days < 0: already expired)."""
    raw = tokens.new_secret(tokens.DEVICE_PREFIX)
    now = datetime.now(timezone.utc)
    session.add(DeviceToken(id=uuid.uuid4(), user_id=user.id, organisation_id=user.organisation_id,
                            label=label, token_hash=tokens.digest(raw), hint=tokens.hint(raw),
                            expires_at=now + timedelta(days=days),
                            revoked_at=now if revoked else None))
    session.flush()
    return raw


def partner_key(session, organisation=None, scopes=("facilities:read",), *, days: int = 365,
                revoked: bool = False, label: str = "Test key") -> str:
    """An API key of a partner organisation (a new one by default); returns the raw key."""
    org = organisation or _make_organisation(session, kind="partner")
    raw = tokens.new_secret(tokens.PARTNER_PREFIX)
    now = datetime.now(timezone.utc)
    session.add(PartnerKey(id=uuid.uuid4(), organisation_id=org.id, label=label,
                           key_hash=tokens.digest(raw), hint=tokens.hint(raw),
                           scopes=sorted(scopes), expires_at=now + timedelta(days=days),
                           revoked_at=now if revoked else None))
    session.flush()
    return raw


def browser_session(session, user: User) -> tuple[str, str]:
    """A signed-in browser session made directly, without the sign-in pages (fast; for tests
    about something else). Returns (cookie value, CSRF token). The real flow: conftest.login."""
    token, row = account_sessions.create_row(session, user, second_factor=True)
    return token, row.csrf_token


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}
