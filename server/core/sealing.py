"""Secrets the server must read back (TOTP seeds) are stored sealed: AES-256-GCM under a key
derived (HKDF-SHA256) from DATA_KEY when it is set, else from SECRET_KEY. A copy of the database
alone (a backup, a dump, a read-only SQL injection) then yields no second factor.

Stored form: "v1:" + base64url(12-byte nonce + ciphertext + tag). The purpose is bound into the
key and the associated data, so a value sealed for one purpose cannot be opened for another.
Rotating the key: set DATA_KEY to a new value only together with re-sealing (not built yet);
until then keep DATA_KEY (or SECRET_KEY, when DATA_KEY is unset) stable.
"""
from __future__ import annotations

import base64
import logging
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

PREFIX = "v1:"
TOTP_SECRET = "totp-secret"


class Unreadable(ValueError):
    """Sealed under another key, or altered."""


def derive_key(master: str, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=f"nezarat/{purpose}/v1".encode()).derive(master.encode())


def master_key(config) -> str:
    """DATA_KEY when set, else SECRET_KEY (from an app's config or the settings dict)."""
    return config.get("DATA_KEY") or config["SECRET_KEY"]


def is_sealed(value: str | None) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(plain: str, key: bytes, purpose: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plain.encode(), purpose.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(value: str, key: bytes, purpose: str) -> str:
    if not is_sealed(value):
        raise Unreadable("not a sealed value")
    try:
        raw = base64.urlsafe_b64decode(value[len(PREFIX):].encode())
        return AESGCM(key).decrypt(raw[:12], raw[12:], purpose.encode()).decode()
    except (InvalidTag, ValueError) as exc:
        raise Unreadable("sealed under another key, or altered") from exc


def app_key(purpose: str) -> bytes:
    """This app's key for `purpose` (derived once per app)."""
    from flask import current_app
    keys = current_app.extensions.setdefault("nezarat.sealing", {})
    if purpose not in keys:
        keys[purpose] = derive_key(master_key(current_app.config), purpose)
    return keys[purpose]


class SealedString(TypeDecorator):
    """A string column stored sealed: Python code reads and writes the plain value."""
    impl = String
    cache_ok = True

    def __init__(self, purpose: str):
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value, dialect):
        return None if value is None else seal(value, app_key(self.purpose), self.purpose)

    def process_result_value(self, value, dialect):
        if value is None or not is_sealed(value):
            return value  # a row from before sealing: migration 0010 seals them
        try:
            return unseal(value, app_key(self.purpose), self.purpose)
        except Unreadable:
            # DATA_KEY/SECRET_KEY changed: the secret is lost (recovery codes still work, an
            # admin can reset the second factor); the rest of the account keeps working.
            log.error("a sealed %s cannot be opened with this server's key", self.purpose)
            return None
