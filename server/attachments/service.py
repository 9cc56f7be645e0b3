"""Attachments: expected when a submission names them, received when their bytes arrive."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import photos
from .models import Attachment


def expect(session: Session, filenames: list[str], *, visit_id=None, incident_id=None,
           demo: bool = False) -> None:
    existing = set(session.execute(select(Attachment.filename).where(
        Attachment.visit_id == visit_id if visit_id else Attachment.incident_id == incident_id)
    ).scalars())
    for name in filenames:
        if name not in existing:
            session.add(Attachment(id=uuid.uuid4(), visit_id=visit_id, incident_id=incident_id,
                                   filename=name, demo=demo))
            existing.add(name)


def pending(session: Session, visit_id: uuid.UUID) -> dict[str, Attachment]:
    """Attachments named by a visit (or its incidents) whose bytes have not arrived yet."""
    from ..incidents.models import Incident
    incident_ids = select(Incident.id).where(Incident.visit_id == visit_id)
    rows = session.execute(select(Attachment).where(
        Attachment.sha256.is_(None),
        (Attachment.visit_id == visit_id) | Attachment.incident_id.in_(incident_ids))).scalars()
    return {a.filename: a for a in rows}


def receive(session: Session, visit_id: uuid.UUID, files: dict[str, bytes]) -> list[str]:
    """Store the bytes of expected files; returns the names stored. Every photo is decoded and
    cleaned before any is written, so one bad photo refuses the upload and leaves no trace.
    Names the report does not mention are ignored (Collect may send stale files)."""
    waiting = pending(session, visit_id)
    max_pixels = current_app.config["MAX_PHOTO_PIXELS"]
    prepared = {name: photos.prepare(data, name, max_pixels)
                for name, data in files.items() if name in waiting}
    now = datetime.now(timezone.utc)
    for name, photo in prepared.items():
        stored = photos.save(photo)
        attachment = waiting[name]
        attachment.sha256, attachment.media_type = stored.sha256, stored.media_type
        attachment.width, attachment.height, attachment.bytes = (stored.width, stored.height,
                                                                  stored.bytes)
        attachment.received_at = now
    return sorted(prepared)
