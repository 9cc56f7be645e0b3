"""Lost and coerced phones.

- A coordinator (of the monitor's organisation) or an admin marks a phone lost: its token is
  revoked, and the phone that presents that token again is told, and only it, to erase itself
  (`DeviceLost`, a 401 of its own type; anyone else sees what an unknown token gets).
- The duress PIN: the phone erases itself and tells the server with the SHA-256 of its token
  (what the server stores; the phone keeps that proof in its duress box, never the token under
  a weak secret). The token is revoked, the event audited, nobody answers differently.
- On each sync the phone reports the ids and times of the reports it still holds (never their
  content), so a coordinator knows what a lost phone took with it.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import select

from ..core import audit
from ..core.access import Principal, require_access
from ..core.db import db
from .credentials import may_manage_device_of
from .models import DeviceToken

MAX_PENDING = 500  # a phone holding more than this is not one we made


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _managed(principal: Principal, token_id: uuid.UUID) -> DeviceToken:
    token = db.session.get(DeviceToken, token_id)
    require_access(token is not None and may_manage_device_of(principal, token.user),
                   "device token")
    return token


def mark_lost(principal: Principal, token_id: uuid.UUID) -> DeviceToken:
    token = _managed(principal, token_id)
    if token.lost_at is None:
        now = _now()
        token.lost_at, token.lost_by = now, principal.user_id
        if token.revoked_at is None:
            token.revoked_at, token.revoked_by = now, principal.user_id
        audit.record_and_commit(db.session, "device_token.lost", principal,
                                target_type="device_token", target_id=token.id,
                                details={"label": token.label,
                                         "pending": len(token.pending or [])})
    return token


def pending_of(principal: Principal, token_id: uuid.UUID) -> DeviceToken:
    return _managed(principal, token_id)


def check_in(principal: Principal, pending: list[dict]) -> None:
    """The reports a phone still holds, as of now (replaces the previous list; not audited:
    it changes on every sync and says nothing about their content)."""
    token = db.session.get(DeviceToken, principal.credential_id)
    token.pending = [{"id": str(p["id"]), "created_at": _iso(p.get("created_at")),
                      "updated_at": _iso(p.get("updated_at"))} for p in pending[:MAX_PENDING]]
    token.pending_at = _now()
    db.session.commit()


def duress(proof: str, pending_ids: list[uuid.UUID]) -> None:
    """Silent: the same (empty) answer whether the proof matched a token or not."""
    token = db.session.scalars(select(DeviceToken).where(DeviceToken.token_hash == proof)).first()
    if token is None:
        return
    now = _now()
    token.duress_at = now
    if token.revoked_at is None:
        token.revoked_at = now  # the phone was in other hands: its token is done with
    if pending_ids:
        known = {p["id"]: p for p in token.pending or []}
        token.pending = [known.get(str(i), {"id": str(i), "created_at": None, "updated_at": None})
                         for i in pending_ids[:MAX_PENDING]]
        token.pending_at = now
    actor = Principal(kind="device", user_id=token.user_id, organisation_id=token.organisation_id,
                      role="monitor", credential_id=token.id)
    audit.record_and_commit(db.session, "device_token.duress", actor, target_type="device_token",
                            target_id=token.id, details={"label": token.label,
                                                         "pending": len(token.pending or [])})


def _iso(value) -> str | None:
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") \
        if isinstance(value, datetime) else None
