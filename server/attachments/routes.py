"""Photos, served only to those who may see the record they belong to."""
from __future__ import annotations

from flask import send_file

from ..core import access, storage
from ..core.access import current_principal
from ..core.http import Blueprint
from . import photos, service

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


def _serve(attachment_id, thumbnail: bool):
    attachment = service.open_for_reading(attachment_id, current_principal(), thumbnail)
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
