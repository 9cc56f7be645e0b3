"""Passwords: argon2id hashes (argon2-cffi's RFC 9106 low-memory profile) and the policy."""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..core.errors import ValidationFailed

MIN_LENGTH = 12
MAX_LENGTH = 1024
_hasher = PasswordHasher()  # argon2id


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("not a real password, only for equal timing")


def verify(password_hash: str | None, password: str) -> bool:
    """True when `password` matches. Without a hash we still spend the same time, so the answer
    time does not tell whether an account exists."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_policy(password: str, email: str | None = None, field: str = "password") -> None:
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise ValidationFailed.field(field, f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise ValidationFailed.field(field, f"Use at most {MAX_LENGTH} characters.")
    if len(set(password)) < 4:
        raise ValidationFailed.field(field, "Use more different characters.")
    if email and password.strip().lower() in (email.lower(), email.split("@")[0].lower()):
        raise ValidationFailed.field(field, "Must not be your email address.")
