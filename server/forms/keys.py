"""The server's key pairs for the forms it decrypts on receipt (ODK encrypted forms).

Collect encrypts each finished report with the form's public key, so a seized phone holds no
readable report; the server opens it with the private key as it arrives, and the map, review
and scores work on the plain report. This protects the phone, not against the server (sealed
forms are for that: their keys never reach the server).

The private key is stored sealed (server.core.sealing: AES-256-GCM, key from DATA_KEY, else
SECRET_KEY), so a copy of the database alone opens nothing. A key is made the first time a
form is served (or by `flask forms keys --rotate`); a rotated key is retired, not deleted:
phones may still hold reports encrypted with it. All SQL of form_keys is here.
"""
from __future__ import annotations

import base64
import hashlib
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core import audit, sealing
from ..core.access import Principal

PURPOSE = "form-private-key"
KEY_BITS = 2048  # what Collect and Central use; the record key it wraps is 256 bits


def generate() -> tuple[str, str, rsa.RSAPrivateKey]:
    """(base64 SubjectPublicKeyInfo as the XForm carries it, PKCS#8 PEM, the key)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    public_der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return base64.b64encode(public_der).decode(), pem, private


def fingerprint(public_b64: str) -> str:
    """sha256 of the public key's DER, hex: what an admin compares."""
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()


def _lock(session: Session, form_id: str) -> None:
    session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                    {"k": f"form-key:{form_id}"})


def _active(session: Session, form_id: str):
    return session.execute(text(
        "SELECT id, public_key, fingerprint, created_at FROM form_keys "
        "WHERE form_id = :f AND retired_at IS NULL"), {"f": form_id}).first()


def public_key(session: Session, form_id: str, principal: Principal | None = None) -> str:
    """The form's current public key (base64), made (and audited) the first time."""
    row = _active(session, form_id)
    if row is not None:
        return row.public_key
    _lock(session, form_id)
    row = _active(session, form_id)  # made by a concurrent request while this one waited
    if row is not None:
        session.commit()
        return row.public_key
    return _create(session, form_id, principal, rotated=None)


def rotate(session: Session, form_id: str, principal: Principal | None = None) -> str:
    """A new key for new reports; the old one is kept (retired) for reports made with it."""
    _lock(session, form_id)
    old = _active(session, form_id)
    if old is not None:
        session.execute(text("UPDATE form_keys SET retired_at = now() WHERE id = :id"),
                        {"id": old.id})
    return _create(session, form_id, principal, rotated=old.fingerprint if old else None)


def _create(session: Session, form_id: str, principal: Principal | None,
            rotated: str | None) -> str:
    public_b64, pem, _ = generate()
    key_id = uuid.uuid4()
    session.execute(text(
        "INSERT INTO form_keys (id, form_id, public_key, private_key_sealed, fingerprint) "
        "VALUES (:id, :f, :pub, :priv, :fp)"),
        {"id": key_id, "f": form_id, "pub": public_b64, "fp": fingerprint(public_b64),
         "priv": sealing.seal(pem, sealing.app_key(PURPOSE), PURPOSE)})
    details = {"form_id": form_id, "fingerprint": fingerprint(public_b64)}
    if rotated:
        details["retired"] = rotated
    audit.record_and_commit(session, "form_key.rotate" if rotated else "form_key.create",
                            principal, target_type="form_key", target_id=key_id,
                            details=details)
    return public_b64


def private_keys(session: Session, form_id: str) -> list[rsa.RSAPrivateKey]:
    """Every key of the form that this server can open, newest first."""
    rows = session.execute(text(
        "SELECT private_key_sealed FROM form_keys WHERE form_id = :f ORDER BY created_at DESC"),
        {"f": form_id}).scalars().all()
    key = sealing.app_key(PURPOSE)
    keys = []
    for sealed in rows:
        try:
            pem = sealing.unseal(sealed, key, PURPOSE)
        except sealing.Unreadable:
            continue  # sealed under an earlier DATA_KEY: reports made with it cannot be opened
        keys.append(serialization.load_pem_private_key(pem.encode(), None))
    return keys


def listing(session: Session) -> list:
    return session.execute(text(
        "SELECT form_id, fingerprint, created_at, retired_at FROM form_keys "
        "ORDER BY form_id, created_at DESC")).all()
