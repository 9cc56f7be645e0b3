"""Organisation sealing keys and their wrapped copies. All SQL of sealing_keys and
sealing_key_copies is here.

A key pair is made in a coordinator's browser; the server gets the public key and copies of the
private key each wrapped under a passphrase (one per key holder, and the recovery sheet's under
its random code). It can open none of them. Rotation: a new active key for new cases; retired
keys stay with their copies, for the cases sealed to them.

Who: key managers are the coordinators and admins of the organisation. A key holder is a
manager with an unrevoked copy of that key; only holders get the case content (ciphertext).
"""
from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core import audit
from ..core.access import Principal
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from . import formats

# Coordinators and admins; "partner": the people of a protection partner (their own key,
# the cases referred to them; a partner organisation has no monitors, so no queue of its own).
MANAGERS = ("coordinator", "admin", "partner")


def is_manager(principal: Principal) -> bool:
    return principal.kind == "user" and principal.role in MANAGERS \
        and principal.organisation_id is not None


def active(session: Session, organisation_id):
    return session.execute(text(
        "SELECT id, organisation_id, public_key, fingerprint, created_at FROM sealing_keys "
        "WHERE organisation_id = :o AND retired_at IS NULL"), {"o": organisation_id}).first()


def get(session: Session, key_id):
    return session.execute(text(
        "SELECT id, organisation_id, public_key, fingerprint, created_at, retired_at "
        "FROM sealing_keys WHERE id = :id"), {"id": key_id}).first()


def holds(session: Session, principal: Principal, key_id) -> bool:
    if not is_manager(principal):
        return False
    return session.execute(text(
        "SELECT EXISTS (SELECT FROM sealing_key_copies c JOIN sealing_keys k ON k.id = c.key_id "
        "WHERE c.key_id = :k AND c.holder_id = :u AND c.revoked_at IS NULL "
        "AND k.organisation_id = :o)"),
        {"k": key_id, "u": principal.user_id, "o": principal.organisation_id}).scalar()


def holds_any(session: Session, principal: Principal) -> bool:
    if not is_manager(principal):
        return False
    return session.execute(text(
        "SELECT EXISTS (SELECT FROM sealing_key_copies c JOIN sealing_keys k ON k.id = c.key_id "
        "WHERE c.holder_id = :u AND c.revoked_at IS NULL AND k.organisation_id = :o)"),
        {"u": principal.user_id, "o": principal.organisation_id}).scalar()


def listing(session: Session, principal: Principal, *, after=None,
            limit: int = 100) -> list[dict]:
    """The organisation's keys, newest first, with their holders (names) and the caller's own
    wrapped copy of each key it holds (the only copy it gets). `after`: the last key's
    (created_at, id) of the previous page."""
    where, params = ["organisation_id = :o"], {"o": principal.organisation_id, "l": limit}
    if after:
        where.append("(created_at, id) < (CAST(:at AS timestamptz), CAST(:id AS uuid))")
        params.update(at=after[0], id=after[1])
    keys = session.execute(text(
        "SELECT id, public_key, fingerprint, created_at, retired_at FROM sealing_keys "
        f"WHERE {' AND '.join(where)} ORDER BY created_at DESC, id DESC LIMIT :l"),
        params).all()
    copies = session.execute(text(
        "SELECT c.key_id, c.holder_id, u.name, c.created_at, "
        "CASE WHEN c.holder_id = :u THEN c.wrapped END AS wrapped "
        "FROM sealing_key_copies c LEFT JOIN users u ON u.id = c.holder_id "
        "WHERE c.key_id = ANY(:keys) AND c.revoked_at IS NULL ORDER BY c.created_at"),
        {"keys": [k.id for k in keys], "u": principal.user_id}).all() if keys else []
    out = []
    for key in keys:
        mine = [c for c in copies if c.key_id == key.id]
        out.append({
            "id": key.id, "public_key": key.public_key, "fingerprint": key.fingerprint,
            "created_at": key.created_at, "retired_at": key.retired_at,
            "holders": [{"user_id": c.holder_id, "name": c.name, "since": c.created_at}
                        for c in mine if c.holder_id is not None],
            "recovery_sheet": any(c.holder_id is None for c in mine),
            "my_copy": next((c.wrapped for c in mine if c.holder_id == principal.user_id), None),
        })
    return out


def recovery_copy(session: Session, principal: Principal, key_id) -> str:
    """The recovery sheet's copy, to a manager of the organisation (it opens only with the
    sheet's code). Audited: who asked for it, when."""
    key = _own_key(session, principal, key_id)
    wrapped = session.execute(text(
        "SELECT wrapped FROM sealing_key_copies WHERE key_id = :k AND holder_id IS NULL "
        "AND revoked_at IS NULL"), {"k": key.id}).scalar()
    if wrapped is None:
        raise NotFound("This key has no recovery sheet copy.")
    audit.record_and_commit(session, "sealing_key.recovery_copy", principal,
                            target_type="sealing_key", target_id=key.id,
                            details={"fingerprint": key.fingerprint})
    return wrapped


def _lock(session: Session, principal: Principal) -> None:
    """One change to the organisation's keys and copies at a time (until the commit)."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                    {"k": f"sealing-key:{principal.organisation_id}"})


def _own_key(session: Session, principal: Principal, key_id):
    key = get(session, key_id)
    if key is None or key.organisation_id != principal.organisation_id \
            or not is_manager(principal):
        raise NotFound("No such sealing key, or not your organisation's.")
    return key


def create(session: Session, principal: Principal, public_b64: str, wrapped: str,
           recovery_wrapped: str) -> dict:
    """The organisation's first key, or a rotation (then only a holder of the active key may:
    a stranger with a manager's password must not redirect new cases to a key of their own)."""
    if not is_manager(principal):
        raise Forbidden("Only coordinators and admins of the organisation manage its keys.")
    formats.public_key(public_b64)
    formats.wrapped_private_key(wrapped, "wrapped")
    formats.wrapped_private_key(recovery_wrapped, "recovery_wrapped")
    _lock(session, principal)
    old = active(session, principal.organisation_id)
    if old is not None and not holds(session, principal, old.id):
        raise Forbidden("Only a key holder of the current key may rotate it.")
    fingerprint = formats.fingerprint(public_b64)
    if session.execute(text("SELECT EXISTS (SELECT FROM sealing_keys WHERE fingerprint = :f)"),
                       {"f": fingerprint}).scalar():
        raise Conflict("This public key is already registered.")
    if old is not None:
        session.execute(text("UPDATE sealing_keys SET retired_at = now() WHERE id = :id"),
                        {"id": old.id})
    key_id = uuid.uuid4()
    session.execute(text(
        "INSERT INTO sealing_keys (id, organisation_id, public_key, fingerprint, created_by) "
        "VALUES (:id, :o, :p, :f, :u)"),
        {"id": key_id, "o": principal.organisation_id, "p": public_b64, "f": fingerprint,
         "u": principal.user_id})
    for holder, blob in ((principal.user_id, wrapped), (None, recovery_wrapped)):
        _insert_copy(session, key_id, holder, blob, principal)
    details = {"fingerprint": fingerprint}
    if old is not None:
        details["retired"] = old.fingerprint
    audit.record_and_commit(session, "sealing_key.rotate" if old else "sealing_key.create",
                            principal, target_type="sealing_key", target_id=key_id,
                            details=details)
    return {"id": key_id, "fingerprint": fingerprint}


def _insert_copy(session, key_id, holder_id, wrapped, principal) -> None:
    session.execute(text(
        "INSERT INTO sealing_key_copies (id, key_id, holder_id, wrapped, created_by) "
        "VALUES (:id, :k, :h, :w, :u)"),
        {"id": uuid.uuid4(), "k": key_id, "h": holder_id, "w": wrapped, "u": principal.user_id})


def add_holder(session: Session, principal: Principal, key_id, holder_id, wrapped: str) -> None:
    """A copy for a colleague, wrapped under their passphrase in a browser where a holder had
    unlocked the key. The colleague must be a coordinator or admin of the organisation."""
    key = _own_key(session, principal, key_id)
    if not holds(session, principal, key.id):
        raise Forbidden("Only a key holder can add another (the key is opened in their browser).")
    formats.wrapped_private_key(wrapped, "wrapped")
    _lock(session, principal)  # a double click: one copy, then "already holds" (not a 500)
    holder = session.execute(text(
        "SELECT id, organisation_id, role, active FROM users WHERE id = :id"),
        {"id": holder_id}).first()
    if holder is None or holder.organisation_id != principal.organisation_id \
            or holder.role not in MANAGERS or not holder.active:
        raise ValidationFailed.field("user_id", "Must be an active coordinator or admin of your "
                                                "organisation.")
    if session.execute(text(
            "SELECT EXISTS (SELECT FROM sealing_key_copies WHERE key_id = :k AND holder_id = :h "
            "AND revoked_at IS NULL)"), {"k": key.id, "h": holder_id}).scalar():
        raise Conflict("This person already holds this key.")
    _insert_copy(session, key.id, holder_id, wrapped, principal)
    audit.record_and_commit(session, "sealing_key.add_holder", principal,
                            target_type="sealing_key", target_id=key.id,
                            details={"fingerprint": key.fingerprint, "holder": str(holder_id)})


def remove_holder(session: Session, principal: Principal, key_id, holder_id) -> None:
    """Revoke a holder's copy: by a holder of the key (their own copy or a colleague's), never
    the last one. Opening a case, adding a holder and rotating all need a holder, so a key
    without one (revoked by a colleague who holds none, or by its last holder) locks every
    case sealed to it away from the organisation for good; an account that must lose access
    at once is deactivated instead."""
    key = _own_key(session, principal, key_id)
    if not holds(session, principal, key.id):
        raise Forbidden("Only a key holder can revoke a holder's copy.")
    _lock(session, principal)
    holders = session.execute(text(
        "SELECT count(*) FROM sealing_key_copies WHERE key_id = :k AND holder_id IS NOT NULL "
        "AND revoked_at IS NULL"), {"k": key.id}).scalar()
    if holders <= 1:
        raise Conflict("This is the key's last holder: add another holder first (without a "
                       "holder, nobody can open its cases again).")
    changed = session.execute(text(
        "UPDATE sealing_key_copies SET revoked_at = now() WHERE key_id = :k AND holder_id = :h "
        "AND revoked_at IS NULL"), {"k": key.id, "h": holder_id}).rowcount
    if not changed:
        raise NotFound("This person holds no copy of this key.")
    audit.record_and_commit(session, "sealing_key.remove_holder", principal,
                            target_type="sealing_key", target_id=key.id,
                            details={"fingerprint": key.fingerprint, "holder": str(holder_id)})


def partner_keys(session: Session, principal: Principal, *, after=None,
                 limit: int = 100) -> list:
    """Organisations a case can be referred to: every other organisation with an active key,
    by name. `after`: the last row's (name, key_id) of the previous page."""
    where, params = "k.retired_at IS NULL AND o.id <> :o", {"o": principal.organisation_id,
                                                             "l": limit}
    if after:
        where += " AND (o.name, k.id) > (CAST(:name AS text), CAST(:id AS uuid))"
        params.update(name=after[0], id=after[1])
    return session.execute(text(
        "SELECT o.id AS organisation_id, o.name, o.kind, k.id AS key_id, k.public_key, "
        "k.fingerprint FROM sealing_keys k JOIN organisations o ON o.id = k.organisation_id "
        f"WHERE {where} ORDER BY o.name, k.id LIMIT :l"), params).all()


def candidates(session: Session, principal: Principal, *, after=None, limit: int = 100) -> list:
    """Colleagues who could become key holders, by name. `after`: the last row's (name, id)."""
    where, params = "", {"o": principal.organisation_id, "l": limit}
    if after:
        where = " AND (name, id) > (CAST(:name AS text), CAST(:id AS uuid))"
        params.update(name=after[0], id=after[1])
    return session.execute(text(
        "SELECT id, name FROM users WHERE organisation_id = :o AND role IN ('coordinator', "
        f"'admin') AND active{where} ORDER BY name, id LIMIT :l"), params).all()
