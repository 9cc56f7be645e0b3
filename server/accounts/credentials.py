"""Device tokens (a monitor's phone) and partner API keys: created once, stored as a hash,
scoped, expiring, revocable, with the time they were last used."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from psycopg.rows import namedtuple_row
from sqlalchemy import text

from ..core import audit
from ..core.access import Principal, require_access
from ..core.db import db, side_transaction
from ..core.errors import Unauthorized, ValidationFailed
from .models import DeviceToken, Organisation, PartnerKey, User
from .tokens import DEVICE_PREFIX, PARTNER_PREFIX, digest, hint, new_secret

# Scopes a partner key may carry; features that serve partners add theirs here.
SCOPES = ("facilities:read", "incidents:read", "exports")
DEVICE_DAYS = (30, 365)  # default, maximum
PARTNER_DAYS = (365, 730)
LAST_USED_EVERY = timedelta(minutes=1)  # write last_used_at at most this often
DEVICE_CHALLENGE = 'Bearer realm="nezarat-device"'
PARTNER_CHALLENGE = 'Bearer realm="nezarat-partner"'
INVALID = "This token is not valid: it is unknown, expired or revoked."


class DeviceLost(Unauthorized):
    """The token of a phone marked lost, presented again: the app erases itself on this
    (accounts/phones.py). The same status and title as any refused token."""
    slug = "device-lost"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _expiry(days: int | None, limits: tuple[int, int]) -> datetime:
    days = limits[0] if days is None else days
    if not 1 <= days <= limits[1]:
        raise ValidationFailed.field("days", f"Must be between 1 and {limits[1]}.")
    return _now() + timedelta(days=days)


def may_manage_device_of(principal: Principal, monitor: User | None) -> bool:
    """Admins for anyone; coordinators for the monitors of their own organisation."""
    if monitor is None or monitor.role != "monitor":
        return False
    return principal.role == "admin" or (principal.role == "coordinator" and
                                         monitor.organisation_id == principal.organisation_id)


def create_device_token(principal: Principal, user_id: uuid.UUID, label: str,
                        days: int | None = None, *, raw: str | None = None,
                        demo: bool = False) -> tuple[DeviceToken, str]:
    session = db.session
    monitor = session.get(User, user_id)
    require_access(may_manage_device_of(principal, monitor), "monitor")
    if not monitor.active:
        raise ValidationFailed.field("user_id", "This monitor's account is deactivated.")
    raw = raw or new_secret(DEVICE_PREFIX)
    token = DeviceToken(id=uuid.uuid4(), user_id=monitor.id,
                        organisation_id=monitor.organisation_id, label=label,
                        token_hash=digest(raw), hint=hint(raw), created_by=principal.user_id,
                        expires_at=_expiry(days, DEVICE_DAYS), demo=demo)
    session.add(token)
    session.flush()
    audit.record(session, "device_token.create", principal, target_type="device_token",
                 target_id=token.id, details={"user_id": str(monitor.id), "label": label,
                                              "expires_at": token.expires_at.isoformat()})
    session.commit()
    return token, raw


def revoke_device_token(principal: Principal, token_id: uuid.UUID) -> DeviceToken:
    session = db.session
    token = session.get(DeviceToken, token_id)
    require_access(token is not None and may_manage_device_of(principal, token.user),
                   "device token")
    return _revoke(token, principal, "device_token")


def revoke_devices_of(session, user_id: uuid.UUID, principal: Principal) -> int:
    """Revoke every device token of a user still in force (they moved to another
    organisation); the caller's audit entry records how many. Returns that number."""
    return session.execute(text("""
        UPDATE device_tokens SET revoked_at = now(), revoked_by = :actor
        WHERE user_id = :user AND revoked_at IS NULL"""),
        {"user": user_id, "actor": principal.user_id}).rowcount


def create_partner_key(principal: Principal, organisation_id: uuid.UUID, scopes: list[str],
                       label: str, days: int | None = None, *, raw: str | None = None,
                       demo: bool = False) -> tuple[PartnerKey, str]:
    session = db.session
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise ValidationFailed.field("organisation_id", "No such organisation.")
    if organisation.kind != "partner":
        raise ValidationFailed.field("organisation_id",
                                     "API keys are for partner organisations only.")
    unknown = sorted(set(scopes) - set(SCOPES))
    if not scopes or unknown:
        raise ValidationFailed.field("scopes", f"Choose among {', '.join(SCOPES)}"
                                     + (f" (unknown: {', '.join(unknown)})." if unknown else "."))
    raw = raw or new_secret(PARTNER_PREFIX)
    key = PartnerKey(id=uuid.uuid4(), organisation_id=organisation.id, label=label,
                     key_hash=digest(raw), hint=hint(raw), scopes=sorted(set(scopes)),
                     created_by=principal.user_id, expires_at=_expiry(days, PARTNER_DAYS),
                     demo=demo)
    session.add(key)
    session.flush()
    audit.record(session, "partner_key.create", principal, target_type="partner_key",
                 target_id=key.id, details={"organisation_id": str(organisation.id),
                                            "scopes": key.scopes, "label": label,
                                            "expires_at": key.expires_at.isoformat()})
    session.commit()
    return key, raw


def revoke_partner_key(principal: Principal, key_id: uuid.UUID) -> PartnerKey:
    key = db.session.get(PartnerKey, key_id)
    require_access(key is not None, "partner key")
    return _revoke(key, principal, "partner_key")


def _revoke(credential, principal: Principal, kind: str):
    if credential.revoked_at is None:
        credential.revoked_at, credential.revoked_by = _now(), principal.user_id
        audit.record(db.session, f"{kind}.revoke", principal, target_type=kind,
                     target_id=credential.id, details={"label": credential.label})
    db.session.commit()
    return credential


# --- checking a presented secret (runs on every token-authenticated request) ----------------

def principal_for(raw: str) -> Principal:
    """The device or partner a presented secret stands for; Unauthorized if it is not valid."""
    if raw.startswith(DEVICE_PREFIX):
        return device_principal(raw)
    if raw.startswith(PARTNER_PREFIX):
        return partner_principal(raw)
    raise Unauthorized(INVALID)


# One indexed lookup on the request's own connection; a valid token is noted as used at most
# once a minute, in a short transaction of its own.
_DEVICE = """
    SELECT t.id, t.revoked_at, t.expires_at, t.last_used_at, t.lost_at, u.id AS user_id,
           u.organisation_id, t.organisation_id AS issued_for, u.email, u.active, u.role
    FROM device_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = %(hash)s"""
_PARTNER = """
    SELECT id, revoked_at, expires_at, last_used_at, organisation_id, scopes
    FROM partner_keys WHERE key_hash = %(hash)s"""


def device_principal(raw: str) -> Principal:
    row = _lookup(_DEVICE, raw)
    if row is not None and row.lost_at is not None:
        # Only the holder of this very token learns it: the phone, told to erase itself.
        raise DeviceLost(INVALID, headers={"WWW-Authenticate": DEVICE_CHALLENGE})
    # A token speaks only for the organisation it was issued in (a moved monitor's old phone
    # is revoked by the move; this holds however else the account changed).
    if row is None or not _active(row) or not row.active or row.role != "monitor" \
            or row.issued_for != row.organisation_id:
        raise Unauthorized(INVALID, headers={"WWW-Authenticate": DEVICE_CHALLENGE})
    _note_use("device_tokens", row)
    return Principal(kind="device", user_id=row.user_id, organisation_id=row.organisation_id,
                     role="monitor", credential_id=row.id, email=row.email)


def partner_principal(raw: str) -> Principal:
    row = _lookup(_PARTNER, raw)
    if row is None or not _active(row):
        raise Unauthorized(INVALID, headers={"WWW-Authenticate": PARTNER_CHALLENGE})
    _note_use("partner_keys", row)
    return Principal(kind="partner", organisation_id=row.organisation_id,
                     scopes=frozenset(row.scopes), credential_id=row.id)


def organisation_may_read(session, organisation_id, scope: str) -> bool:
    """Whether the organisation holds a key for `scope` now (not revoked, not expired). What
    reaches a partner without its own call (webhooks) stops with its last key, as its calls do."""
    return bool(session.execute(text(
        "SELECT EXISTS (SELECT 1 FROM partner_keys WHERE organisation_id = :o "
        "AND revoked_at IS NULL AND expires_at > now() AND :s = ANY(scopes))"),
        {"o": organisation_id, "s": scope}).scalar())


def _lookup(query: str, raw: str):
    driver = db.driver(db.session)
    with driver.pipeline():  # the request's BEGIN and this lookup in one round trip
        cursor = driver.cursor(row_factory=namedtuple_row).execute(query, {"hash": digest(raw)})
    return cursor.fetchone()


def _active(row) -> bool:
    return DeviceToken.status(row, _now()) == "active"  # the credentials' own rule


def _note_use(table: str, row) -> None:
    if row.last_used_at is not None and row.last_used_at >= _now() - LAST_USED_EVERY:
        return
    with side_transaction() as session:  # concurrent requests: the first one writes
        session.execute(text(f"UPDATE {table} SET last_used_at = now() WHERE id = :id AND "
                             "(last_used_at IS NULL OR last_used_at < now() - :every)"),
                        {"id": row.id, "every": LAST_USED_EVERY})
