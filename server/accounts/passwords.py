"""Passwords: argon2id hashes (argon2-cffi's RFC 9106 low-memory profile) and the policy."""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from ..core.errors import ValidationFailed

MIN_LENGTH = 12
MAX_LENGTH = 1024
PROFILE = "RFC_9106_LOW_MEMORY"  # t=3, m=64 MiB, p=4
# The app config key PASSWORD_HASH_PROFILE (not an environment variable) names another of
# argon2-cffi's profiles; only a TESTING app may take its CHEAPEST one, made for test suites,
# where every sign-in would otherwise cost a real hash.
TEST_PROFILE = "CHEAPEST"


@lru_cache(maxsize=4)
def _hasher_of(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def _hasher() -> PasswordHasher:
    profile = PROFILE
    if has_app_context():
        profile = current_app.config.get("PASSWORD_HASH_PROFILE") or PROFILE
        if profile != PROFILE and not current_app.config.get("TESTING"):
            raise RuntimeError(f"PASSWORD_HASH_PROFILE {profile!r} is for test suites only")
    return _hasher_of(profile)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("not a real password, only for equal timing")


def verify(password_hash: str | None, password: str) -> bool:
    """True when `password` matches. Without a hash we still spend the same time, so the answer
    time does not tell whether an account exists."""
    hasher = _hasher()
    try:
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def check_policy(password: str, email: str | None = None, field: str = "password") -> None:
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise ValidationFailed.field(field, f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise ValidationFailed.field(field, f"Use at most {MAX_LENGTH} characters.")
    if len(set(password)) < 4:
        raise ValidationFailed.field(field, "Use more different characters.")
    if email and password.strip().lower() in (email.lower(), email.split("@")[0].lower()):
        raise ValidationFailed.field(field, "Must not be your email address.")
