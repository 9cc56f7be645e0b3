"""Attachments: expected when a submission names them, received when their bytes arrive."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy.orm import Session

from ..core import audit
from ..core.access import Principal, require_access, sees_full_record
from ..core.db import db
from . import photos, queries
from .queries import of_visit

# (visit id, incident id, file name): one of the two ids is None
Wanted = tuple[uuid.UUID | None, uuid.UUID | None, str]

# The columns that say a file was received, as json_to_recordset reads them.
_RECEIVED = ("sha256 text, media_type text, width int, height int, bytes int, "
             "received_at timestamptz, received_sha256 text, captured_at text")


def prepare(files: dict[str, bytes], names) -> dict[str, photos.PreparedPhoto]:
    """Decode and clean, in memory, the files among `names`: one bad photo refuses the whole
    upload before anything is written. Names the report does not mention are ignored (Collect
    may send stale files)."""
    max_pixels = current_app.config["MAX_PHOTO_PIXELS"]
    return {name: photos.prepare(data, name, max_pixels)
            for name, data in files.items() if name in names}


def store(prepared: dict[str, photos.PreparedPhoto]) -> dict[str, dict]:
    """Write the files; returns, by name, the attachment columns that say they were received."""
    now = datetime.now(timezone.utc)
    return {name: received_columns(photos.save(photo), now) for name, photo in prepared.items()}


def received_columns(saved: photos.StoredPhoto, now: datetime) -> dict:
    """The attachment columns that say a photo's bytes arrived (as _RECEIVED lists them)."""
    return {"sha256": saved.sha256, "media_type": saved.media_type, "width": saved.width,
            "height": saved.height, "bytes": saved.bytes, "received_at": now,
            "received_sha256": saved.received_sha256, "captured_at": saved.captured_at}


def add(session: Session, wanted: list[Wanted], *, received: dict[str, dict] | None = None,
        demo: bool = False) -> None:
    """Rows for the files a submission names, for owners that have none yet (just created);
    those whose bytes came along (`received`, from store()) are written as received."""
    received = received or {}
    rows = [{"visit_id": v, "incident_id": i, "filename": name, "demo": demo,
             **received.get(name, {})} for v, i, name in dict.fromkeys(wanted)]
    if not rows:
        return
    db.driver(session).execute(f"""
        INSERT INTO attachments (id, visit_id, incident_id, filename, demo, sha256, media_type,
                                 width, height, bytes, received_at, received_sha256, captured_at)
        SELECT gen_random_uuid(), r.visit_id, r.incident_id, r.filename, r.demo, r.sha256,
               r.media_type, r.width, r.height, r.bytes, r.received_at, r.received_sha256,
               r.captured_at
        FROM json_to_recordset(CAST(%(rows)s AS json))
             AS r(visit_id uuid, incident_id uuid, filename text, demo boolean, {_RECEIVED})""",
        {"rows": json.dumps(rows, default=str)})


def expect(session: Session, visit_id: uuid.UUID, wanted: list[Wanted], *,
           demo: bool = False) -> None:
    """Rows for the files an edit of a visit names that its owner has not named before."""
    known = set(db.driver(session).execute(
        of_visit("a.visit_id, a.incident_id, a.filename"), {"visit": visit_id}))
    add(session, [w for w in wanted if w not in known], demo=demo)


def _waiting(session: Session, visit_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """(id, file name) of the attachments of a visit whose bytes have not arrived yet."""
    return db.driver(session).execute(of_visit("a.id, a.filename", "a.sha256 IS NULL"),
                                      {"visit": visit_id}).fetchall()


def pending(session: Session, visit_id: uuid.UUID) -> list[str]:
    """Names of the files a visit (or its incidents) named whose bytes have not arrived yet."""
    return sorted({name for _, name in _waiting(session, visit_id)})


def is_named(session: Session, visit_id: uuid.UUID, filename: str) -> bool:
    return db.driver(session).execute(
        f"SELECT EXISTS ({of_visit('1', 'a.filename = %(name)s')})",
        {"visit": visit_id, "name": filename}).fetchone()[0]


def receive(session: Session, visit_id: uuid.UUID, files: dict[str, bytes]) -> list[str]:
    """Store the bytes of files a visit (or its incidents) is still waiting for; returns the
    names stored. Every photo is decoded and cleaned before any is written."""
    if not files:
        return []
    waiting = _waiting(session, visit_id)
    received = store(prepare(files, {name for _, name in waiting}))
    stored = set()
    for id_, name in waiting:
        if name in received and db.driver(session).execute(
                "UPDATE attachments SET sha256 = %(sha256)s, media_type = %(media_type)s, "
                "width = %(width)s, height = %(height)s, bytes = %(bytes)s, "
                "received_at = %(received_at)s, received_sha256 = %(received_sha256)s, "
                "captured_at = %(captured_at)s WHERE id = %(id)s AND sha256 IS NULL",
                {**received[name], "id": id_}).rowcount:
            stored.add(name)
    return sorted(stored)


def open_for_reading(attachment_id: uuid.UUID, principal: Principal, thumbnail: bool):
    """A received photo for someone who sees its record in full (404 to anyone else); the read
    is audited and committed before a byte is served."""
    session = db.session
    attachment = queries.served(session, attachment_id)
    require_access(attachment is not None and sees_full_record(
        principal, attachment.organisation_id, attachment.monitor_id), "photo")
    audit.record_and_commit(session, "attachment.read", principal, target_type="attachment",
                            target_id=attachment.id, details={"thumbnail": thumbnail})
    return attachment
