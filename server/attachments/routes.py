"""Photos, served only to those who may see the record they belong to."""
from __future__ import annotations

from flask import send_file

from ..core import access, audit, storage
from ..core.access import current_principal, require_access, sees_full_record
from ..core.db import db
from ..core.http import Blueprint
from ..incidents.models import Incident
from ..visits.models import Visit
from .models import Attachment
from . import photos

blp = Blueprint("attachments", __name__, url_prefix="/api/attachments",
                description="Photos of visits and incidents, for those who see the full record "
                            "(each read is audited).")
IMAGE = {"type": "string", "format": "binary"}
PHOTO = {"200": {"description": "The photo as stored (metadata removed on receipt)",
                 "content": {media: {"schema": IMAGE}
                             for media in ("image/jpeg", "image/png", "image/webp")}},
         "304": {"description": "Not modified (If-None-Match)"}}
THUMBNAIL = {"200": {"description": "A small JPEG of the photo",
                     "content": {"image/jpeg": {"schema": IMAGE}}},
             "304": {"description": "Not modified (If-None-Match)"}}


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


@blp.route("/<uuid:attachment_id>", methods=["GET"])
@access.access(access.member("monitor", "coordinator"))
@blp.doc(responses=PHOTO)
def photo(attachment_id):
    """The photo, to the monitor who took it and their organisation's coordinators."""
    return _serve(attachment_id, thumbnail=False)


@blp.route("/<uuid:attachment_id>/thumbnail", methods=["GET"])
@access.access(access.member("monitor", "coordinator"))
@blp.doc(responses=THUMBNAIL)
def thumbnail(attachment_id):
    """A thumbnail of the photo (same access as the photo)."""
    return _serve(attachment_id, thumbnail=True)
