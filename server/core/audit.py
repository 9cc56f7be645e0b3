"""The audit writer: append-only, hash-chained, written in the caller's transaction.

Each entry's hash is sha256(previous hash + canonical JSON of the entry). Writers lock the chain
head (the audit_head row the audit_log trigger keeps) until their transaction ends, so the chain
has exactly one order (`seq`). Everything else a transaction does comes before its entry, so
that lock is held only from the entry's one INSERT to the commit.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import BigInteger, DateTime, String, Text, select, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from .access import Principal
from .db import Base, db

GENESIS = "0" * 64


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
    return _fields(row.seq, row.occurred_at, row.actor_kind, row.actor_id, row.organisation_id,
                   row.action, row.target_type, row.target_id, row.address, row.details or {})


def _fields(seq, occurred_at: datetime, actor_kind, actor_id, organisation_id, action,
            target_type, target_id, address, details: dict) -> dict:
    occurred = occurred_at.astimezone(timezone.utc).isoformat(timespec="microseconds")
    return {"seq": seq, "occurred_at": occurred, "actor_kind": actor_kind,
            "actor_id": str(actor_id) if actor_id else None,
            "organisation_id": str(organisation_id) if organisation_id else None,
            "action": action, "target_type": target_type,
            "target_id": str(target_id) if target_id is not None else None,
            "address": address, "details": details}


def chain_hash(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(fields)).encode()).hexdigest()


@dataclass(frozen=True)
class Appended:
    seq: int
    hash: str


_SEQ = -7_240_501  # stands in for `seq` in the canonical text until the head lock gives it

# Lock the head, append after it and hash exactly as chain_hash() does, in one statement. In
# READ COMMITTED a writer that waited for the lock reads the head its predecessor committed.
# Without a head (an empty log, or a head someone removed) the chain continues from the log's
# own last entry, and the trigger makes the head; two such first writers at once cannot both
# take the same `seq` (the second fails on the primary key and its request can be retried).
_APPEND = """
    WITH head AS (SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE),
    last AS (SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1),
    h AS (SELECT seq, hash FROM head
          UNION ALL
          SELECT COALESCE((SELECT seq FROM last), 0), COALESCE((SELECT hash FROM last), %(genesis)s)
          WHERE NOT EXISTS (SELECT 1 FROM head))
    INSERT INTO audit_log (seq, occurred_at, actor_kind, actor_id, organisation_id, action,
                           target_type, target_id, address, details, prev_hash, hash)
    SELECT h.seq + 1, %(occurred_at)s, %(actor_kind)s, %(actor_id)s, %(organisation_id)s,
           %(action)s, %(target_type)s, %(target_id)s, %(address)s, CAST(%(details)s AS jsonb),
           h.hash, encode(sha256(convert_to(
               h.hash || %(before)s || (h.seq + 1) || %(after)s, 'UTF8')), 'hex')
    FROM h
    RETURNING seq, hash"""


def record(session: Session, action: str, principal: Principal | None = None, *,
           target_type: str | None = None, target_id=None, details: dict | None = None,
           address: str | None = None) -> Appended:
    """Append one entry in `session`'s transaction; it commits or rolls back with the change.
    Call it last in the transaction: from here to the commit, other writers wait."""
    params = _params(session, action, principal, target_type, target_id, details, address)
    return Appended(*db.driver(session).execute(_APPEND, params).fetchone())


def record_and_commit(session: Session, action: str, principal: Principal | None = None, *,
                      target_type: str | None = None, target_id=None,
                      details: dict | None = None, address: str | None = None) -> Appended:
    """record(), then commit `session`, with the entry and the COMMIT sent together (a psycopg
    pipeline): the chain's lock is held for the server's own time between the two, never while
    this thread waits for its turn at the GIL behind another request's Python. For the paths
    that write many times a second (submissions)."""
    params = _params(session, action, principal, target_type, target_id, details, address)
    driver = db.driver(session)
    if not isinstance(session.get_bind(), Engine):
        # Joined to a transaction of its caller's (the tests' rollback per test): committing
        # on the wire would end that outer transaction, so commit the SQLAlchemy way.
        appended = Appended(*driver.execute(_APPEND, params).fetchone())
        session.commit()
        return appended
    with driver.pipeline():  # an error in the entry skips the COMMIT: nothing is kept
        cursor = driver.execute(_APPEND, params)
        driver.commit()
    appended = Appended(*cursor.fetchone())
    session.commit()  # SQLAlchemy's side of it; the database has committed already
    return appended


def _params(session: Session, action: str, principal: Principal | None, target_type,
            target_id, details: dict | None, address: str | None) -> dict:
    """The statement's parameters: the entry's fields and its canonical text around `seq`,
    which only the head lock gives."""
    session.flush()  # the caller's pending changes go first, outside the chain lock
    principal = principal or Principal()
    occurred_at = datetime.now(timezone.utc)
    details_text = canonical(details or {})
    fields = _fields(_SEQ, occurred_at, principal.kind,
                     principal.user_id or principal.credential_id, principal.organisation_id,
                     action, target_type, target_id, address, json.loads(details_text))
    before, mark, after = canonical(fields).rpartition(f'"seq":{_SEQ}')
    assert mark, "the seq placeholder must be in the canonical text"
    return {**fields, "occurred_at": occurred_at, "details": details_text,
            "before": before + '"seq":', "after": after, "genesis": GENESIS}


def head(session: Session) -> tuple[int, str] | None:
    """(seq, hash) of the last entry, as the audit_log trigger recorded it in audit_head."""
    row = session.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")).first()
    return (row.seq, row.hash) if row else None


def _describe(row) -> str:
    return f"entry {row.seq} ({row.action}, {row.occurred_at:%Y-%m-%d %H:%M:%S})"


def _link_problem(row, prev_seq: int, prev_hash: str, recent: dict) -> str | None:
    """Is `row` the next entry of the chain? If not, say what happened just before it."""
    if row.seq != prev_seq + 1:
        return (f"entry {prev_seq + 1} was removed: the log goes from entry {prev_seq} "
                f"to {_describe(row)}")
    if row.prev_hash == prev_hash:
        return None
    earlier = recent.get(row.prev_hash)
    if earlier is not None:  # it continues an older entry: the ones between were slipped in
        return (f"{_describe(earlier[1])} was inserted: {_describe(row)} follows entry "
                f"{earlier[0]} directly")
    return (f"{_describe(row)} does not follow entry {prev_seq}: entry {prev_seq} was altered "
            f"or replaced, or entries were removed before entry {row.seq}")


def _end_problem(session: Session, last_seq: int, last_hash: str) -> str | None:
    """Removing entries from the end leaves a valid chain; the recorded head catches it."""
    recorded = head(session)
    if recorded is None:
        return None if last_seq == 0 else "the chain head (audit_head) was removed"
    seq, hash_ = recorded
    if seq > last_seq:
        return (f"entries {last_seq + 1} to {seq} were removed from the end of the log "
                f"(it ends at entry {last_seq})")
    if seq < last_seq:
        return (f"entries {seq + 1} to {last_seq} were inserted at the end of the log without "
                "the audit writer")
    if hash_ != last_hash:
        return f"the last entry, {last_seq}, was replaced"
    return None


LOOKBACK = 1000  # recent entries remembered to tell an insertion from a removal


def verify(session: Session, batch: int = 5000, anchor: tuple[int, str] | None = None):
    """Walk the chain. Returns (checked, problem) where problem names the first bad entry.

    `anchor` is a (seq, hash) noted earlier outside the database: it must still be in the
    chain, which also catches a rewrite of the whole log by someone who recomputed the hashes.
    """
    prev_hash, prev_seq, checked = GENESIS, 0, 0
    recent: dict[str, tuple[int, AuditEntry]] = {}
    while True:
        rows = session.execute(select(AuditEntry).where(AuditEntry.seq > prev_seq)
                               .order_by(AuditEntry.seq).limit(batch)).scalars().all()
        if not rows:
            break
        for row in rows:
            problem = _link_problem(row, prev_seq, prev_hash, recent)
            if problem is None and chain_hash(row.prev_hash, entry_fields(row)) != row.hash:
                problem = f"{_describe(row)} was altered: its content does not match its hash"
            if problem is None and anchor and row.seq == anchor[0] and row.hash != anchor[1]:
                problem = f"{_describe(row)} is not the entry of the anchor: the log was rewritten"
            if problem:
                return checked, problem
            recent[prev_hash] = (prev_seq, row)
            if len(recent) > LOOKBACK:
                recent.pop(next(iter(recent)))
            prev_hash, prev_seq, checked = row.hash, row.seq, checked + 1
        session.expunge_all()
    if anchor and anchor[0] > prev_seq:
        return checked, (f"entry {anchor[0]} of the anchor is gone: entries {prev_seq + 1} to "
                         f"{anchor[0]} at least were removed")
    return checked, _end_problem(session, prev_seq, prev_hash)
