"""The audit writer: append-only, hash-chained, written in the caller's transaction.

Each entry's hash is sha256(previous hash + canonical JSON of the entry). A transaction-scoped
advisory lock serialises writers so the chain has exactly one order (`seq`).
"""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timezone

from sqlalchemy import BigInteger, DateTime, String, Text, select, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, Session, mapped_column

from .access import Principal
from .db import Base

GENESIS = "0" * 64
_LOCK_KEY = 7_240_501  # any constant; identifies the audit chain lock


class AuditEntry(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    actor_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    action: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSONB, nullable=False, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)


def canonical(entry: dict) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def entry_fields(row) -> dict:
    """The fields the hash covers, in a stable form (also used by `verify`)."""
    occurred = row.occurred_at.astimezone(timezone.utc).isoformat(timespec="microseconds")
    return {"seq": row.seq, "occurred_at": occurred, "actor_kind": row.actor_kind,
            "actor_id": str(row.actor_id) if row.actor_id else None,
            "organisation_id": str(row.organisation_id) if row.organisation_id else None,
            "action": row.action, "target_type": row.target_type, "target_id": row.target_id,
            "address": row.address, "details": row.details or {}}


def chain_hash(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(fields)).encode()).hexdigest()


def record(session: Session, action: str, principal: Principal | None = None, *,
           target_type: str | None = None, target_id=None, details: dict | None = None,
           address: str | None = None) -> AuditEntry:
    """Append one entry in `session`'s transaction; it commits or rolls back with the change."""
    session.execute(text("select pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    principal = principal or Principal()
    actor_id = principal.user_id or principal.credential_id
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        occurred_at=datetime.now(timezone.utc),
        actor_kind=principal.kind, actor_id=actor_id,
        organisation_id=principal.organisation_id, action=action,
        target_type=target_type, target_id=str(target_id) if target_id is not None else None,
        address=address, details=json.loads(canonical(details or {})),
        prev_hash=last.hash if last else GENESIS, hash="")
    entry.hash = chain_hash(entry.prev_hash, entry_fields(entry))
    session.add(entry)
    session.flush()
    return entry


def verify(session: Session, batch: int = 5000):
    """Walk the chain. Returns (checked, problem) where problem names the first bad entry."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = session.execute(select(AuditEntry).where(AuditEntry.seq > last_seq)
                               .order_by(AuditEntry.seq).limit(batch)).scalars().all()
        if not rows:
            return checked, None
        for row in rows:
            if row.seq != expected_seq:
                return checked, (f"entry {expected_seq} is missing (next is {row.seq}): "
                                 "an entry was removed")
            if row.prev_hash != prev_hash:
                return checked, (f"entry {row.seq} ({row.action}) does not follow entry "
                                 f"{row.seq - 1}: an entry was removed or inserted before it")
            if chain_hash(row.prev_hash, entry_fields(row)) != row.hash:
                return checked, (f"entry {row.seq} ({row.action}) was altered: its content does "
                                 "not match its hash")
            prev_hash, expected_seq, checked = row.hash, row.seq + 1, checked + 1
            last_seq = row.seq
        session.expunge_all()
