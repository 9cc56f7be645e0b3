"""The browser's and the phone's side of protection cases (static/js/cases/crypto.js,
static/mobile/js/seal.js), in Python for integration tests: key pairs, passphrase-wrapped
copies, sealed cases and photos. Written from the format description in
server/cases/formats.py, not from the server's code (which never opens any of it)."""
from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
ITERATIONS = 600_000


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass
class OrgKey:
    private: rsa.RSAPrivateKey
    public_b64: str
    fingerprint: str

    @property
    def pkcs8(self) -> bytes:
        return self.private.private_bytes(serialization.Encoding.DER,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())


def new_key(bits: int = 2048) -> OrgKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    der = private.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return OrgKey(private, b64(der), hashlib.sha256(der).hexdigest())


def _kdf(passphrase: str, salt: bytes, iterations: int) -> bytes:
    return PBKDF2HMAC(hashes.SHA256(), 32, salt, iterations).derive(passphrase.encode())


def wrap(key: OrgKey, passphrase: str, iterations: int = ITERATIONS) -> str:
    salt, iv = os.urandom(16), os.urandom(12)
    ct = AESGCM(_kdf(passphrase, salt, iterations)).encrypt(
        iv, key.pkcs8, f"nezarat-sealing-key:{key.fingerprint}".encode())
    return json.dumps({"v": 1, "kdf": "PBKDF2-SHA-256", "iterations": iterations,
                       "salt": b64(salt), "iv": b64(iv), "ct": b64(ct)})


def unwrap(wrapped: str, passphrase: str, fingerprint: str) -> rsa.RSAPrivateKey:
    box = json.loads(wrapped)
    pkcs8 = AESGCM(_kdf(passphrase, base64.b64decode(box["salt"]), box["iterations"])).decrypt(
        base64.b64decode(box["iv"]), base64.b64decode(box["ct"]),
        f"nezarat-sealing-key:{fingerprint}".encode())
    return serialization.load_der_private_key(pkcs8, None)


@dataclass
class SealedCase:
    body: dict
    photos: dict[str, bytes]
    record_key: bytes


def seal_case(key: OrgKey, case_id: str, fields: list[dict], *, photos: dict | None = None,
              facility_id=None, urgency="immediate", occurred_on="2025-12-01") -> SealedCase:
    record_key = os.urandom(32)
    gcm = AESGCM(record_key)
    iv = os.urandom(12)
    ct = gcm.encrypt(iv, json.dumps({"fields": fields}).encode(), f"nezarat-case:{case_id}".encode())
    sealed_photos = {}
    for name, data in (photos or {}).items():
        piv = os.urandom(12)
        sealed_photos[name] = piv + gcm.encrypt(piv, data,
                                                f"nezarat-case:{case_id}/photo:{name}".encode())
    public = serialization.load_der_public_key(base64.b64decode(key.public_b64))
    body = {"id": case_id, "form_id": "nezarat_case", "form_version": "2025120101",
            "facility_id": str(facility_id) if facility_id else None,
            "occurred_on": occurred_on, "urgency": urgency, "key_fingerprint": key.fingerprint,
            "wrapped_key": b64(public.encrypt(record_key, OAEP)),
            "envelope": json.dumps({"v": 1, "alg": "RSA-OAEP-256+A256GCM", "iv": b64(iv),
                                    "ct": b64(ct)}),
            "photos": sorted(sealed_photos)}
    return SealedCase(body, sealed_photos, record_key)


def open_case(private: rsa.RSAPrivateKey, wrapped_key: str, envelope: str, case_id: str) -> dict:
    record_key = private.decrypt(base64.b64decode(wrapped_key), OAEP)
    box = json.loads(envelope)
    return json.loads(AESGCM(record_key).decrypt(base64.b64decode(box["iv"]),
                                                 base64.b64decode(box["ct"]),
                                                 f"nezarat-case:{case_id}".encode()))


def rewrap(private: rsa.RSAPrivateKey, wrapped_key: str, public_b64: str) -> str:
    record_key = private.decrypt(base64.b64decode(wrapped_key), OAEP)
    public = serialization.load_der_public_key(base64.b64decode(public_b64))
    return b64(public.encrypt(record_key, OAEP))
