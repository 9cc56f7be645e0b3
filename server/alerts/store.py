"""The SQL of alert_rules, alert_settings, notifications and alert_inbox (their one home)."""
from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

NS = uuid.UUID("0c6f7a64-5f55-4a1c-9a52-3e1b9a2f4d10")

RULE_COLUMNS = "id, organisation_id, user_id, kind, params, active, created_at"


def notification_id(user_id, rule_id, event_key: str) -> uuid.UUID:
    """Deterministic: the same person, rule and event always make the same notification."""
    return uuid.uuid5(NS, f"{user_id}/{rule_id}/{event_key}")


def rules_of_kind(session: Session, kind: str) -> list:
    return session.execute(text(f"SELECT {RULE_COLUMNS} FROM alert_rules "
                                "WHERE kind = :k AND active ORDER BY created_at"),
                           {"k": kind}).all()


def rules_for(session: Session, organisation_id, user_id, *, after=None,
              limit: int | None = None) -> list:
    """The organisation's rules and the person's own, oldest first; `after`: the last row's
    (created_at, id) of the previous page."""
    where, params = "", {"o": organisation_id, "u": user_id, "l": limit}
    if after:
        where = " AND (created_at, id) > (CAST(:at AS timestamptz), CAST(:id AS uuid))"
        params.update(at=after[0], id=after[1])
    return session.execute(text(
        f"SELECT {RULE_COLUMNS} FROM alert_rules WHERE organisation_id = :o "
        f"AND (user_id IS NULL OR user_id = :u){where} ORDER BY created_at, id"
        + (" LIMIT :l" if limit else "")), params).all()


def rule(session: Session, rule_id) -> object | None:
    return session.execute(text(f"SELECT {RULE_COLUMNS} FROM alert_rules WHERE id = :id"),
                           {"id": rule_id}).first()


def add_rule(session: Session, organisation_id, user_id, kind: str, params: dict,
             created_by) -> uuid.UUID:
    rule_id = uuid.uuid4()
    session.execute(text(
        "INSERT INTO alert_rules (id, organisation_id, user_id, kind, params, created_by) "
        "VALUES (:id, :o, :u, :k, CAST(:p AS jsonb), :by)"),
        {"id": rule_id, "o": organisation_id, "u": user_id, "k": kind, "p": json.dumps(params),
         "by": created_by})
    return rule_id


def delete_rule(session: Session, rule_id) -> None:
    session.execute(text("DELETE FROM alert_rules WHERE id = :id"), {"id": rule_id})


def recipients(session: Session, rule) -> list:
    """Who a rule alerts: its person, or every active coordinator of its organisation (a person
    who left the organisation or the coordinator role is alerted no more)."""
    person = "AND u.id = :u" if rule.user_id else ""
    return session.execute(text(
        "SELECT u.id, u.email, coalesce(s.email_mode, 'immediate') AS email_mode FROM users u "
        "LEFT JOIN alert_settings s ON s.user_id = u.id "
        f"WHERE u.organisation_id = :o AND u.active AND u.role = 'coordinator' {person}"),
        {"o": rule.organisation_id, "u": rule.user_id}).all()


def add_notifications(session: Session, rows: list[dict]) -> list:
    """Insert; rows already there (the same person, rule and event) are left as they are.
    Returns (id, user_id) of the rows made now: the only ones to mail."""
    if not rows:
        return []
    return session.execute(text(
        "INSERT INTO notifications (id, user_id, rule_id, event_key, kind, facility_id, summary,"
        " event_at) SELECT x.id, x.user_id, x.rule_id, x.event_key, x.kind, x.facility_id, "
        "x.summary, x.event_at FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(id uuid, "
        "user_id uuid, rule_id uuid, event_key text, kind text, facility_id uuid, summary jsonb,"
        " event_at timestamptz) ON CONFLICT DO NOTHING RETURNING id, user_id"),
        {"rows": json.dumps(rows, default=str)}).all()


def page(session: Session, user_id, *, unread_only: bool, after: tuple | None,
         limit: int) -> list:
    conds = ["user_id = :u"]
    if unread_only:
        conds.append("read_at IS NULL")
    if after:
        conds.append("(created_at, id) < (:at, :id)")
    return session.execute(text(
        "SELECT id, kind, facility_id, summary, event_at, created_at, read_at FROM notifications "
        f"WHERE {' AND '.join(conds)} ORDER BY created_at DESC, id DESC LIMIT :n"),
        {"u": user_id, "at": after[0] if after else None, "id": after[1] if after else None,
         "n": limit}).all()


def unread_count(session: Session, user_id) -> int:
    return session.execute(text("SELECT count(*) FROM notifications WHERE user_id = :u "
                                "AND read_at IS NULL"), {"u": user_id}).scalar_one()


def mark_read(session: Session, user_id, ids: list | None) -> int:
    """Mark the person's own notifications read (`ids` None: all of them)."""
    only = "AND id = ANY(:ids)" if ids is not None else ""
    return session.execute(text(
        f"UPDATE notifications SET read_at = now() WHERE user_id = :u AND read_at IS NULL {only}"),
        {"u": user_id, "ids": ids}).rowcount


def to_mail(session: Session, notification_id) -> object | None:
    """A notification not mailed yet, locked until the transaction ends (one mailer at a time),
    with its person's address."""
    return session.execute(text(
        "SELECT n.id, n.kind, n.summary, n.event_at, u.email FROM notifications n "
        "JOIN users u ON u.id = n.user_id WHERE n.id = :id AND n.emailed_at IS NULL "
        "AND u.active FOR UPDATE OF n"), {"id": notification_id}).first()


def to_mail_now(session: Session, limit: int) -> list:
    """Notifications of people who take mail at once, not mailed yet, oldest first, locked until
    the transaction ends (another mailer skips them). Only the last day's: a person who switches
    from a digest to immediate mail is not sent the digest's backlog one mail each."""
    return session.execute(text(
        "SELECT n.id, n.kind, n.summary, n.event_at, u.email FROM notifications n "
        "JOIN users u ON u.id = n.user_id LEFT JOIN alert_settings s ON s.user_id = n.user_id "
        "WHERE n.emailed_at IS NULL AND u.active "
        "AND coalesce(s.email_mode, 'immediate') = 'immediate' "
        "AND n.created_at > now() - interval '1 day' "
        "ORDER BY n.created_at, n.id LIMIT :n FOR UPDATE OF n SKIP LOCKED"), {"n": limit}).all()


def mark_mailed(session: Session, ids: list) -> None:
    session.execute(text("UPDATE notifications SET emailed_at = now() WHERE id = ANY(:ids)"),
                    {"ids": ids})


def digest_due(session: Session, mode: str, now: datetime, every_hours: int) -> list:
    """People on `mode` whose last digest is at least `every_hours` old (5 minutes' grace)."""
    return session.execute(text(
        "SELECT s.user_id FROM alert_settings s JOIN users u ON u.id = s.user_id "
        "WHERE s.email_mode = :m AND u.active AND (s.last_digest_at IS NULL OR s.last_digest_at "
        "<= CAST(:now AS timestamptz) - make_interval(hours => :h) + interval '5 minutes')"),
        {"m": mode, "now": now, "h": every_hours}).scalars().all()


def digest_of(session: Session, user_id, mode: str) -> tuple[object | None, list]:
    """(the person, locked, if still on `mode`; their notifications not mailed yet)."""
    person = session.execute(text(
        "SELECT u.id, u.email FROM alert_settings s JOIN users u ON u.id = s.user_id "
        "WHERE s.user_id = :u AND s.email_mode = :m AND u.active FOR UPDATE OF s"),
        {"u": user_id, "m": mode}).first()
    if person is None:
        return None, []
    rows = session.execute(text(
        "SELECT id, kind, summary, event_at FROM notifications WHERE user_id = :u "
        "AND emailed_at IS NULL ORDER BY event_at, id FOR UPDATE"), {"u": user_id}).all()
    return person, rows


def digest_sent(session: Session, user_id, now: datetime) -> None:
    session.execute(text("UPDATE alert_settings SET last_digest_at = :now WHERE user_id = :u"),
                    {"u": user_id, "now": now})


def settings(session: Session, user_id) -> str:
    mode = session.execute(text("SELECT email_mode FROM alert_settings WHERE user_id = :u"),
                           {"u": user_id}).scalar()
    return mode or "immediate"


def set_mode(session: Session, user_id, mode: str) -> None:
    session.execute(text(
        "INSERT INTO alert_settings (user_id, email_mode) VALUES (:u, :m) "
        "ON CONFLICT (user_id) DO UPDATE SET email_mode = EXCLUDED.email_mode"),
        {"u": user_id, "m": mode})


# --- the inbox: changes waiting for evaluation ---------------------------------------------------

MAX_ATTEMPTS = 10  # a change whose evaluation failed this often stays, with its error, for a look


def inbox_add(session: Session, kind: str, target_id, event_at: datetime) -> None:
    session.execute(text("INSERT INTO alert_inbox (kind, target_id, event_at) "
                         "VALUES (:k, :t, :at)"), {"k": kind, "t": target_id, "at": event_at})


def inbox_take(session: Session, limit: int, skip: list | tuple = ()) -> list:
    """The oldest waiting changes but `skip`, locked until the transaction ends (another drain
    skips them)."""
    return session.execute(text(
        "SELECT id, kind, target_id, event_at FROM alert_inbox WHERE attempts < :max "
        "AND NOT id = ANY(:skip) ORDER BY id LIMIT :n FOR UPDATE SKIP LOCKED"),
        {"max": MAX_ATTEMPTS, "n": limit, "skip": list(skip)}).all()


def inbox_done(session: Session, ids: list) -> None:
    if ids:
        session.execute(text("DELETE FROM alert_inbox WHERE id = ANY(:ids)"), {"ids": ids})


def inbox_failed(session: Session, inbox_id: int, error: str) -> None:
    session.execute(text("UPDATE alert_inbox SET attempts = attempts + 1, last_error = :e "
                         "WHERE id = :id"), {"id": inbox_id, "e": error[:2000]})

