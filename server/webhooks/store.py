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


def of_organisation(session: Session, organisation_id) -> list:
    return session.execute(text(f"SELECT {HOOK} FROM webhooks WHERE organisation_id = :o "
                                "ORDER BY created_at"), {"o": organisation_id}).all()


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


def head(session: Session, hook_id):
    """The oldest delivery still to make: deliveries go out in order, one at a time."""
    return session.execute(text(
        "SELECT seq, idempotency_id, payload, attempts, first_attempt_at, next_attempt_at "
        "FROM webhook_deliveries WHERE webhook_id = :h AND status = 'pending' "
        "ORDER BY seq LIMIT 1 FOR UPDATE"), {"h": hook_id}).first()


def attempted(session: Session, seq: int, *, status: str, http_status: int | None,
              error: str | None, next_at: datetime | None) -> None:
    session.execute(text(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, status = :st, "
        "last_status = :hs, last_error = :err, last_attempt_at = clock_timestamp(), "
        "first_attempt_at = coalesce(first_attempt_at, clock_timestamp()), "
        "next_attempt_at = coalesce(:next, next_attempt_at), "
        "delivered_at = CASE WHEN :st = 'delivered' THEN clock_timestamp() END "
        "WHERE seq = :seq"),
        {"seq": seq, "st": status, "hs": http_status, "err": error, "next": next_at})


def log(session: Session, hook_id, *, before: int | None, limit: int) -> list:
    return session.execute(text(
        "SELECT seq, idempotency_id, event, incident_id, status, attempts, created_at, "
        "first_attempt_at, last_attempt_at, next_attempt_at, last_status, last_error, "
        "delivered_at FROM webhook_deliveries WHERE webhook_id = :h "
        "AND (CAST(:b AS bigint) IS NULL OR seq < :b) ORDER BY seq DESC LIMIT :n"),
        {"h": hook_id, "b": before, "n": limit}).all()
