"""Alert rules, notifications and email settings: what the routes and pages call; and the
enqueueing of alert jobs in the transaction of the change that may trigger them."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from ..core import audit
from ..core.access import Principal
from ..core.db import db
from ..core.errors import NotFound, ValidationFailed
from ..jobs.enqueue import defer
from . import kinds, store

EMAIL_MODES = ("off", "immediate", "hourly", "daily")


# --- enqueued by the services that change visits and incidents (before their audit entry) -----

def visit_changed(session: Session, visit_id) -> None:
    """A visit was submitted or edited: evaluate its access, findings and incidents. The change
    waits in the inbox if and only if it commits."""
    _waiting(session, "visit", visit_id)


def incident_reported(session: Session, incident_id) -> None:
    _waiting(session, "incident", incident_id)


def case_received(session: Session, case_id) -> None:
    """A protection case came in, or its triage fields were entered."""
    _waiting(session, "case", case_id)


def _waiting(session: Session, kind: str, target_id) -> None:
    """Into the inbox, and a drain job queued unless one is waiting already (its queueing lock):
    one job turns a burst of changes into notifications, instead of one job each."""
    # When the change is committed, near enough (its notifications' `event_at`).
    store.inbox_add(session, kind, target_id, datetime.now(timezone.utc))
    defer(session, "alerts.drain", queue="alerts", queueing_lock="alerts.drain")


# --- rules ---------------------------------------------------------------------------------------

def _rule_out(row) -> dict:
    return {"id": str(row.id), "kind": row.kind, "params": row.params,
            "for": "person" if row.user_id else "organisation", "active": row.active,
            "created_at": row.created_at.isoformat()}


def list_rules(principal: Principal, *, after=None, limit: int | None = None) -> list[dict]:
    """The organisation's rules and the caller's own, oldest first (`after`: the last row's
    (created_at, id) of the previous page)."""
    return [_rule_out(r) for r in store.rules_for(db.session, principal.organisation_id,
                                                   principal.user_id, after=after, limit=limit)]


def add_rule(principal: Principal, data: dict) -> dict:
    """A rule for the caller alone (`for`: person) or for all the coordinators of the caller's
    organisation (`for`: organisation)."""
    session = db.session
    params = kinds.clean(data.get("kind"), data.get("params"))
    target = data.get("for", "person")
    if target not in ("person", "organisation"):
        raise ValidationFailed.field("for", "'person' or 'organisation'.")
    user_id = principal.user_id if target == "person" else None
    rule_id = store.add_rule(session, principal.organisation_id, user_id, data["kind"], params,
                             principal.user_id)
    audit.record_and_commit(session, "alert_rule.add", principal, target_type="alert_rule",
                            target_id=rule_id, details={"kind": data["kind"], "for": target})
    return _rule_out(store.rule(session, rule_id))


def delete_rule(principal: Principal, rule_id: uuid.UUID) -> None:
    session = db.session
    row = store.rule(session, rule_id)
    if row is None or row.organisation_id != principal.organisation_id or (
            row.user_id is not None and row.user_id != principal.user_id):
        raise NotFound(f"No alert rule {rule_id}.")
    store.delete_rule(session, rule_id)
    audit.record_and_commit(session, "alert_rule.delete", principal, target_type="alert_rule",
                            target_id=rule_id, details={"kind": row.kind})


# --- notifications --------------------------------------------------------------------------------

def notifications(principal: Principal, *, unread_only: bool = False, after=None,
                  limit: int = 50) -> list:
    return store.page(db.session, principal.user_id, unread_only=unread_only, after=after,
                      limit=limit)


def unread_count(principal: Principal) -> int:
    return store.unread_count(db.session, principal.user_id)


def mark_read(principal: Principal, ids: list[uuid.UUID] | None) -> int:
    """Only the caller's own notifications: another person's id changes nothing."""
    changed = store.mark_read(db.session, principal.user_id, ids)
    db.session.commit()  # a person's own reading state: not an audited change
    return changed


def email_mode(principal: Principal) -> str:
    return store.settings(db.session, principal.user_id)


def set_email_mode(principal: Principal, mode: str) -> str:
    if mode not in EMAIL_MODES:
        raise ValidationFailed.field("email_mode", f"Choose among {', '.join(EMAIL_MODES)}.")
    store.set_mode(db.session, principal.user_id, mode)
    audit.record_and_commit(db.session, "alert_settings.set", principal, target_type="user",
                            target_id=principal.user_id, details={"email_mode": mode})
    return mode
