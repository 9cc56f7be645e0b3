"""Lost and coerced phones (accounts/phones.py): a coordinator marks a phone lost and sees what it
held; the phone reports what it holds on each sync, and a duress PIN's use."""
from __future__ import annotations

from ..core import access
from ..core.access import current_principal
from ..core.http import Blueprint
from . import phones
from .schemas import CheckInSchema, DevicePendingSchema, DeviceTokenSchema, DuressSchema

blp = Blueprint("phones", __name__, url_prefix="/api",
                description="Lost and coerced phones: remote wipe, the duress PIN, and which "
                            "reports a phone still held (ids and times, never content).")

MANAGE_DEVICES = access.role("coordinator", "admin")
# The duress call carries its own proof (the SHA-256 of the device token, 256 bits): the phone
# that makes it has already erased the token itself. Every proof gets the same empty answer.
DURESS = access.public


@blp.route("/device-tokens/<uuid:token_id>/lost", methods=["POST"])
@access.access(MANAGE_DEVICES)
@blp.response(200, DeviceTokenSchema)
def mark_lost(token_id):
    """Mark a phone lost: its token is revoked, and if the app reaches the server again with it,
    the app erases everything it holds (unsent reports are lost by design)."""
    return phones.mark_lost(current_principal(), token_id)


@blp.route("/device-tokens/<uuid:token_id>/pending", methods=["GET"])
@access.access(MANAGE_DEVICES)
@blp.response(200, DevicePendingSchema)
def pending(token_id):
    """The reports the phone still held at its last sync: ids and times, never content."""
    return phones.pending_of(current_principal(), token_id)


@blp.route("/device/check-in", methods=["POST"])
@access.access(access.device())
@blp.arguments(CheckInSchema)
@blp.response(204)
def check_in(data):
    """The mobile app, on each sync: the ids and times of the reports it still holds."""
    phones.check_in(current_principal(), data["pending"])
    return "", 204


@blp.route("/device/duress", methods=["POST"])
@access.access(DURESS)
@blp.arguments(DuressSchema)
@blp.response(204)
def duress(data):
    """The mobile app after its duress PIN: the token is revoked and the event audited. The
    answer is the same whatever the proof."""
    phones.duress(data["proof"], data["pending"])
    return "", 204
