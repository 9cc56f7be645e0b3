"""Sealed submissions: ODK-encrypted submissions of a sealed form (the protection-case form,
issue 19), stored exactly as they came and never decrypted here. The server cannot: the record
key is wrapped with the organisation's public key, whose private key only its key holders'
browsers hold. What is kept: the manifest's fields (form, version, instance id, the wrapped key,
the signature, the encrypted files in order of encryption), each file's sha256 and size, who
sent it (organisation, monitor, device token) and when. The files are in the storage
directory under their sha256 (suffix .enc). All SQL of sealed_submissions is here.

Idempotent by instance id: the same manifest again adds the files that had not come yet (ODK
Collect splits a large submission over several requests, each with the manifest); another
manifest under the same instance id is a conflict.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core import audit, storage
from ..core.access import Principal
from ..core.errors import Conflict, ValidationFailed

SUFFIX = ".enc"
AES_BLOCK = 16


@dataclass(frozen=True)
class Received:
    created: bool
    stored: list[str]
    missing: list[str]


def receive(session: Session, manifest, manifest_body: bytes, files: dict[str, bytes],
            principal: Principal) -> Received:
    """`manifest`: server.openrosa.encrypted.Manifest (read and checked by the door)."""
    for name in manifest.files:
        data = files.get(name)
        if data is not None and (not data or len(data) % AES_BLOCK):
            raise ValidationFailed.field(name, "An encrypted file's length is a whole number "
                                               "of 16-byte AES blocks.")
    digest = hashlib.sha256(manifest_body).hexdigest()
    session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                    {"k": f"sealed:{manifest.instance_id}"})
    row = session.execute(text(
        "SELECT id, organisation_id, manifest_sha256, files FROM sealed_submissions "
        "WHERE instance_id = :i"), {"i": manifest.instance_id}).first()
    if row is not None:
        if row.organisation_id != principal.organisation_id:
            raise Conflict(f"Instance {manifest.instance_id} belongs to another organisation.")
        if row.manifest_sha256 != digest:
            raise Conflict(f"Instance {manifest.instance_id} was already received with a "
                           "different manifest.")
    known = dict(row.files) if row is not None else {}
    new = {name: {"sha256": storage.put(files[name], SUFFIX), "bytes": len(files[name])}
           for name in manifest.files if name in files and name not in known}
    received = {**known, **new}
    missing = [name for name in manifest.files if name not in received]
    record_id = row.id if row is not None else uuid.uuid4()
    if row is None:
        session.execute(text("""
            INSERT INTO sealed_submissions (id, instance_id, form_id, form_version,
                organisation_id, monitor_id, device_token_id, manifest_sha256, encrypted_key,
                signature, xml_file, media, files, complete)
            VALUES (:id, :instance, :form, :version, :org, :monitor, :device, :digest, :key,
                    :signature, :xml_file, CAST(:media AS jsonb), CAST(:files AS jsonb),
                    :complete)"""),
            {"id": record_id, "instance": manifest.instance_id, "form": manifest.form_id,
             "version": manifest.version, "org": principal.organisation_id,
             "monitor": principal.user_id,
             "device": principal.credential_id if principal.kind == "device" else None,
             "digest": digest, "key": manifest.encrypted_key, "signature": manifest.signature,
             "xml_file": manifest.xml_file, "media": json.dumps(list(manifest.media)),
             "files": json.dumps(received), "complete": not missing})
    elif new:
        session.execute(text(
            "UPDATE sealed_submissions SET files = CAST(:files AS jsonb), complete = :complete, "
            "updated_at = now() WHERE id = :id"),
            {"files": json.dumps(received), "complete": not missing, "id": record_id})
    else:
        session.commit()
        return Received(False, [], missing)
    # Names of encrypted files and counts only: nothing of the content, nothing it could reveal.
    audit.record_and_commit(
        session, "sealed.submit" if row is None else "sealed.files", principal,
        target_type="sealed_submission", target_id=record_id,
        details={"form_id": manifest.form_id, "instance_id": manifest.instance_id,
                 "files": len(new), "complete": not missing})
    return Received(row is None, sorted(new), missing)
