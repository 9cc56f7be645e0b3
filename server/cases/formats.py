"""The shapes of what browsers and phones send: checked here so that nothing but the agreed,
opaque formats is stored. This module never sees a plain case, and its errors never echo a value.

- public key: base64 DER SubjectPublicKeyInfo of an RSA key (3072 bits made by our pages; 2048
  and up accepted), exponent 65537. RSA-OAEP with SHA-256 and MGF1-SHA-256: the ODK encrypted
  form's key and the app's, so one key serves both (server/openrosa/encrypted.py).
- a wrapped private key (one key holder's copy, or the recovery sheet's): JSON
  {"v": 1, "kdf": "PBKDF2-SHA-256", "iterations": >= 600000, "salt": b64(16+),
   "iv": b64(12), "ct": b64(AES-256-GCM of the PKCS#8 DER, AAD "nezarat-sealing-key:<fp>")}
- an app case's envelope: JSON {"v": 1, "alg": "RSA-OAEP-256+A256GCM", "iv": b64(12),
  "ct": b64(AES-256-GCM of the sealed answers' JSON, AAD "nezarat-case:<case id>")};
  the record key, wrapped with the public key, is apart (`wrapped_key`), so a referral only
  re-wraps it. A sealed photo: 12-byte IV then the GCM ciphertext (AAD
  "nezarat-case:<id>/photo:<name>").
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from ..core.errors import ValidationFailed

MIN_ITERATIONS = 600_000
MIN_RSA_BITS = 2048
MAX_RSA_BITS = 4096
ENVELOPE_ALG = "RSA-OAEP-256+A256GCM"
MAX_ENVELOPE = 200_000  # characters of base64: the answers, not the photos
GCM_TAG = 16


def b64(value, field: str, *, min_len: int = 1, max_len: int = 1_000_000) -> bytes:
    if not isinstance(value, str):
        raise ValidationFailed.field(field, "Must be base64 text.")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed.field(field, "Must be base64 text.")
    if not min_len <= len(raw) <= max_len:
        raise ValidationFailed.field(field, f"Must decode to {min_len} to {max_len} bytes.")
    return raw


def fingerprint(public_b64: str) -> str:
    """sha256 of the public key's DER, hex: what a monitor compares with their coordinator."""
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()


def public_key(value: str, field: str = "public_key") -> str:
    der = b64(value, field, min_len=200, max_len=1200)
    try:
        key = load_der_public_key(der)
    except (ValueError, TypeError):
        raise ValidationFailed.field(field, "Must be an RSA public key (base64 DER "
                                            "SubjectPublicKeyInfo).")
    if not isinstance(key, rsa.RSAPublicKey) or not (
            MIN_RSA_BITS <= key.key_size <= MAX_RSA_BITS) \
            or key.public_numbers().e != 65537:
        raise ValidationFailed.field(field, "Must be an RSA key of 2048 to 4096 bits with "
                                            "exponent 65537.")
    return value


def wrapped_key_for(value: str, public_b64: str, field: str = "wrapped_key") -> str:
    """An RSA-OAEP ciphertext is exactly as long as the key's modulus."""
    size = load_der_public_key(base64.b64decode(public_b64)).key_size // 8
    b64(value, field, min_len=size, max_len=size)
    return value


def _json(value, field: str) -> dict:
    if not isinstance(value, str) or len(value) > MAX_ENVELOPE:
        raise ValidationFailed.field(field, "Must be a JSON text of at most "
                                            f"{MAX_ENVELOPE} characters.")
    try:
        data = json.loads(value)
    except ValueError:
        raise ValidationFailed.field(field, "Must be JSON.")
    if not isinstance(data, dict):
        raise ValidationFailed.field(field, "Must be a JSON object.")
    return data


def wrapped_private_key(value: str, field: str = "wrapped") -> str:
    data = _json(value, field)
    if set(data) != {"v", "kdf", "iterations", "salt", "iv", "ct"} or data["v"] != 1 \
            or data["kdf"] != "PBKDF2-SHA-256" or not isinstance(data["iterations"], int) \
            or not MIN_ITERATIONS <= data["iterations"] <= 10_000_000:
        raise ValidationFailed.field(field, "Must be {v: 1, kdf: PBKDF2-SHA-256, iterations "
                                            f">= {MIN_ITERATIONS}, salt, iv, ct}}.")
    b64(data["salt"], field + ".salt", min_len=16, max_len=64)
    b64(data["iv"], field + ".iv", min_len=12, max_len=12)
    b64(data["ct"], field + ".ct", min_len=600, max_len=4000)
    return value


def envelope(value: str, field: str = "envelope") -> str:
    data = _json(value, field)
    if set(data) != {"v", "alg", "iv", "ct"} or data["v"] != 1 or data["alg"] != ENVELOPE_ALG:
        raise ValidationFailed.field(field, f"Must be {{v: 1, alg: {ENVELOPE_ALG}, iv, ct}}.")
    b64(data["iv"], field + ".iv", min_len=12, max_len=12)
    b64(data["ct"], field + ".ct", min_len=GCM_TAG + 1)
    return value


def sealed_photo(data: bytes, field: str = "photo") -> bytes:
    if len(data) < 12 + GCM_TAG + 1:
        raise ValidationFailed.field(field, "A sealed photo is a 12-byte IV and its AES-GCM "
                                            "ciphertext.")
    return data
