"""The SQL of webhooks and webhook_deliveries (their one home)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

HOOK = "id, organisation_id, url, secret, status, disabled_reason, synced_asof, created_at"


def add(session: Session, organisation_id, url: str, sealed_secret: str, asof: datetime,
        created_by: str) -> uuid.UUID:
    hook_id = uuid.uuid4()
    session.execute(text(
        "INSERT INTO webhooks (id, organisation_id, url, secret, synced_asof, created_by) "
        "VALUES (:id, :o, :url, :s, :asof, :by)"),
        {"id": hook_id, "o": organisation_id, "url": url, "s": sealed_secret, "asof": asof,
         "by": created_by})
    return hook_id


def get(session: Session, hook_id, *, lock: bool = False):
    return session.execute(text(f"SELECT {HOOK} FROM webhooks WHERE id = :id"
                                + (" FOR UPDATE" if lock else "")), {"id": hook_id}).first()


def of_organisation(session: Session, organisation_id, *, after=None, limit: int = 100
                    ) -> list:
    return session.execute(text(
        f"SELECT {HOOK} FROM webhooks WHERE organisation_id = :o AND (CAST(:at AS timestamptz) "
        "IS NULL OR (created_at, id) > (CAST(:at AS timestamptz), CAST(:id AS uuid))) "
        "ORDER BY created_at, id LIMIT :n"),
        {"o": organisation_id, "at": after[0] if after else None,
         "id": after[1] if after else None, "n": limit}).all()


def active_ids(session: Session) -> list:
    return session.execute(text("SELECT id FROM webhooks WHERE status = 'active' "
                                "ORDER BY created_at")).scalars().all()


def remove(session: Session, hook_id) -> None:
    session.execute(text("DELETE FROM webhooks WHERE id = :id"), {"id": hook_id})


def disable(session: Session, hook_id, reason: str) -> None:
    session.execute(text("UPDATE webhooks SET status = 'disabled', disabled_reason = :r "
                         "WHERE id = :id"), {"id": hook_id, "r": reason})


def synced(session: Session, hook_id, asof: datetime) -> None:
    session.execute(text("UPDATE webhooks SET synced_asof = :a WHERE id = :id"),
                    {"id": hook_id, "a": asof})


def add_deliveries(session: Session, rows: list[dict]) -> int:
    if not rows:
        return 0
    return session.execute(text(
        "INSERT INTO webhook_deliveries (webhook_id, idempotency_id, event, incident_id, payload)"
        " VALUES (:webhook_id, :idempotency_id, :event, :incident_id, :payload) "
        "ON CONFLICT DO NOTHING"), rows).rowcount


def batch(session: Session, hook_id, *, limit: int, max_bytes: int) -> list:
    """The next batch to send, in order, locked: the batch already tried, as it was (one batch
    is in flight at a time, so its deliveries are the pending ones with an attempt, and they
    lead the outbox), or else the oldest deliveries never tried: at most `limit` of them and
    `max_bytes` of payload (always at least one)."""
    rows = session.execute(text(
        "WITH head AS (SELECT attempts > 0 AS tried FROM webhook_deliveries "
        "  WHERE webhook_id = :h AND status = 'pending' ORDER BY seq LIMIT 1) "
        "SELECT d.seq, d.idempotency_id, d.payload, d.attempts, d.first_attempt_at, "
        "d.next_attempt_at FROM webhook_deliveries d, head WHERE d.webhook_id = :h "
        "AND d.status = 'pending' AND (d.attempts > 0) = head.tried "
        "ORDER BY d.seq LIMIT :n FOR UPDATE OF d"), {"h": hook_id, "n": limit}).all()
    size, kept = 0, []
    for row in rows:
        size += len(row.payload.encode())
        if kept and size > max_bytes:
            break
        kept.append(row)
    return kept


def attempted(session: Session, seqs: list[int], *, status: str, http_status: int | None,
              error: str | None, next_at: datetime | None) -> None:
    session.execute(text(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, status = :st, "
        "last_status = :hs, last_error = :err, last_attempt_at = clock_timestamp(), "
        "first_attempt_at = coalesce(first_attempt_at, clock_timestamp()), "
        "next_attempt_at = coalesce(:next, next_attempt_at), "
        "delivered_at = CASE WHEN :st = 'delivered' THEN clock_timestamp() END "
        "WHERE seq = ANY(:seqs)"),
        {"seqs": list(seqs), "st": status, "hs": http_status, "err": error, "next": next_at})


def log(session: Session, hook_id, *, before: int | None, limit: int) -> list:
    return session.execute(text(
        "SELECT seq, idempotency_id, event, incident_id, status, attempts, created_at, "
        "first_attempt_at, last_attempt_at, next_attempt_at, last_status, last_error, "
        "delivered_at FROM webhook_deliveries WHERE webhook_id = :h "
        "AND (CAST(:b AS bigint) IS NULL OR seq < :b) ORDER BY seq DESC LIMIT :n"),
        {"h": hook_id, "b": before, "n": limit}).all()
