"""Photos, served only to those who may see the record they belong to."""
from __future__ import annotations

from flask import Blueprint, send_file

from ..core import access, audit, storage
from ..core.access import current_principal, require_access, sees_full_record
from ..core.db import db
from ..incidents.models import Incident
from ..visits.models import Visit
from .models import Attachment
from . import photos

blp = Blueprint("attachments", __name__, url_prefix="/api/attachments")


def _owner(attachment: Attachment):
    if attachment.visit_id:
        return db.session.get(Visit, attachment.visit_id)
    return db.session.get(Incident, attachment.incident_id)


def _serve(attachment_id, thumbnail: bool):
    session = db.session
    principal = current_principal()
    attachment = session.get(Attachment, attachment_id)
    owner = _owner(attachment) if attachment else None
    require_access(owner is not None and attachment.sha256 is not None and
                   sees_full_record(principal, owner.organisation_id, owner.monitor_id), "photo")
    audit.record(session, "attachment.read", principal, target_type="attachment",
                 target_id=attachment.id, details={"thumbnail": thumbnail})
    session.commit()
    path = (photos.thumbnail(attachment.sha256, attachment.media_type) if thumbnail
            else storage.path_for(attachment.sha256, photos.suffix_of(attachment.media_type)))
    response = send_file(path,
                         mimetype="image/jpeg" if thumbnail else attachment.media_type,
                         max_age=0, etag=attachment.sha256)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/<uuid:attachment_id>")
@access.access(access.member("monitor", "coordinator"))
def photo(attachment_id):
    return _serve(attachment_id, thumbnail=False)


@blp.route("/<uuid:attachment_id>/thumbnail")
@access.access(access.member("monitor", "coordinator"))
def thumbnail(attachment_id):
    return _serve(attachment_id, thumbnail=True)
