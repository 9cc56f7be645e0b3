"""The alert jobs: the drain of the inbox (queued with the change, and every minute), mail
(enqueued with the notification), digests and stale facilities (periodic). Each commits its own
transaction. `alerts.visit`, `.incident` and `.case` evaluate one change each: what the drain
does for every change it takes, and what jobs queued before the inbox existed still run."""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone

import procrastinate

from ..core.db import db
from ..jobs.enqueue import LAST_STEP
from ..jobs.registry import task
from . import evaluate, events, mail, store

log = logging.getLogger(__name__)

RETRY = procrastinate.RetryStrategy(max_attempts=10, exponential_wait=2)
DIGESTS = {"hourly": 1, "daily": 24}


def _at(at: str | None) -> datetime:
    return datetime.fromisoformat(at) if at else datetime.now(timezone.utc)


# Changes evaluated per transaction: large enough that a burst costs a few round trips, small
# enough that a transaction stays short.
BATCH = 200


def _evaluate(session, kind: str, target_id, at: datetime, rules: evaluate.RuleBook) -> int:
    if kind == "visit":
        return evaluate.visit(session, target_id, at, rules)
    if kind == "incident":
        return evaluate.incidents(session, events.incident(session, target_id), at, rules) \
            if rules("incident") else 0
    return evaluate.case(session, target_id, at, rules)


def _one(kind: str, target_id: str, at: str | None) -> int:
    session = db.session
    made = _evaluate(session, kind, uuid.UUID(target_id), _at(at), evaluate.RuleBook(session))
    session.commit()
    return made


@task("alerts.visit", retry=RETRY)
def visit(visit_id: str, at: str | None = None) -> int:
    return _one("visit", visit_id, at)


@task("alerts.incident", retry=RETRY)
def incident(incident_id: str, at: str | None = None) -> int:
    return _one("incident", incident_id, at)


@task("alerts.case", retry=RETRY)
def case(case_id: str, at: str | None = None) -> int:
    return _one("case", case_id, at)


@task("alerts.drain", periodic="* * * * *", queueing_lock="alerts.drain", queue="alerts",
      retry=RETRY)
def drain(timestamp: int | None = None) -> int:
    """Every waiting change, oldest first, in batches: each batch's notifications and mails
    commit with the removal of its changes, so a worker killed mid-way leaves the batch waiting
    and its second evaluation adds nothing (the notification keys). A change whose evaluation
    fails is set aside in its savepoint, counted and kept with its error; the others go on.
    The periodic run catches a change whose transaction committed just as a drain ended."""
    session = db.session
    made, failed = 0, []
    while rows := store.inbox_take(session, BATCH, failed):
        done, rules = [], evaluate.RuleBook(session)
        for row in rows:
            try:
                with session.begin_nested():
                    made += _evaluate(session, row.kind, row.target_id, row.event_at, rules)
            except Exception as exc:  # one bad change must not hold the others back
                log.exception("alert evaluation of %s %s failed", row.kind, row.target_id)
                store.inbox_failed(session, row.id, f"{type(exc).__name__}: {exc}")
                failed.append(row.id)  # tried again by the next drain, not by this one
            else:
                done.append(row.id)
        store.inbox_done(session, done)
        session.commit()
    session.rollback()
    return made


@task("alerts.cases_overdue", periodic="*/10 * * * *", queueing_lock="alerts.cases_overdue",
      retry=RETRY)
def cases_overdue(timestamp: int | None = None) -> int:
    made = evaluate.cases_overdue(db.session)
    db.session.commit()
    return made


@task("alerts.not_visited", periodic="23 * * * *", queueing_lock="alerts.not_visited",
      retry=RETRY)
def not_visited(timestamp: int | None = None) -> int:
    made = evaluate.not_visited(db.session)
    db.session.commit()
    return made


@task("alerts.mail", retry=RETRY, queue="mail")
def send_mail(notification_id: str) -> bool:
    """One notification, mailed once: the row stays locked while the mail goes out, and is
    marked in the same transaction. (Jobs queued before `alerts.mails` mailed everything
    waiting; a test's way to mail one.)"""
    if not mail.configured():
        return False
    session = db.session
    row = store.to_mail(session, uuid.UUID(notification_id))
    if row is None:  # mailed already (a retry), or its person gone
        session.rollback()
        return False
    mail.send(mail.compose(row.email, [(row.kind, row.summary)], message_id=str(row.id)))
    store.mark_mailed(session, [row.id])
    session.commit()
    return True


# Mails sent per transaction (and SMTP session).
MAILS = 100


@task("alerts.mails", periodic="* * * * *", queueing_lock="alerts.mails", retry=RETRY,
      queue="mail", priority=LAST_STEP)
def send_mails(timestamp: int | None = None) -> int:
    """Every notification waiting to be mailed at once, in batches over one SMTP session each:
    a batch is marked mailed in the transaction that held its rows locked while they went out,
    so a retry after a failure resends only what was not marked (a mail's Message-ID is its
    notification's id, for a receiver to see a repeat). The periodic run catches what a mailer
    ending at that moment missed."""
    if not mail.configured():
        return 0
    session = db.session
    sent = 0
    while rows := store.to_mail_now(session, MAILS):
        with mail.connection() as client:
            for row in rows:
                client.send_message(mail.compose(row.email, [(row.kind, row.summary)],
                                                 message_id=str(row.id)))
                store.mark_mailed(session, [row.id])
                sent += 1
        session.commit()
    session.rollback()
    return sent


@task("alerts.digests", periodic="0 * * * *", queueing_lock="alerts.digests", retry=RETRY,
      queue="mail")
def digests(timestamp: int | None = None) -> int:
    """Hourly and daily digests that are due: one mail per person, grouping every notification
    not mailed yet."""
    if not mail.configured():
        return 0
    now, sent = datetime.now(timezone.utc), 0
    for mode, hours in DIGESTS.items():
        for user_id in store.digest_due(db.session, mode, now, hours):
            sent += _digest(user_id, mode, now)
    return sent


def _digest(user_id, mode: str, now: datetime) -> int:
    session = db.session
    person, rows = store.digest_of(session, user_id, mode)
    if person is None:
        session.rollback()
        return 0
    if rows:
        message_id = str(uuid.uuid5(store.NS, f"digest/{user_id}/{rows[-1].id}"))
        mail.send(mail.compose(person.email, [(r.kind, r.summary) for r in rows],
                               message_id=message_id, digest=mode))
        store.mark_mailed(session, [r.id for r in rows])
    store.digest_sent(session, user_id, now)
    session.commit()
    return 1 if rows else 0
