"""Turning an event into notifications. Each runs in a job: it may run twice (a retry, a worker
killed mid-way), and the notification key (person, rule, event) makes the second run add
nothing, mail nothing. Mails of immediate recipients are enqueued in the same transaction as
their notifications."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import Session

from ..jobs.enqueue import LAST_STEP, defer
from . import events, kinds, store


class RuleBook:
    """The active rules by kind, each kind read once: for one evaluation, or for a batch of
    them (the drain's), where a rule added meanwhile counts from the next batch."""

    def __init__(self, session: Session):
        self.session, self.kinds = session, {}

    def __call__(self, kind: str) -> list:
        if kind not in self.kinds:
            self.kinds[kind] = store.rules_of_kind(self.session, kind)
        return self.kinds[kind]


def _notify(session: Session, rule, event_key: str, facts: dict, summary: dict,
            event_at: datetime) -> int:
    people = store.recipients(session, rule)
    rows = [{"id": store.notification_id(p.id, rule.id, event_key), "user_id": p.id,
             "rule_id": rule.id, "event_key": event_key, "kind": rule.kind,
             "facility_id": facts.get("facility_id"), "summary": summary, "event_at": event_at}
            for p in people]
    made = store.add_notifications(session, rows)
    immediate = {p.id for p in people if p.email_mode == "immediate"}
    if any(user_id in immediate for _, user_id in made):
        # one mailer for everything waiting (its queueing lock), queued with the notifications
        defer(session, "alerts.mails", queue="mail", priority=LAST_STEP,
              queueing_lock="alerts.mails")
    return len(made)


def incidents(session: Session, facts: list[dict], event_at: datetime,
              rules: RuleBook | None = None) -> int:
    rules = (rules or RuleBook(session))("incident")
    made = 0
    for fact in facts:
        for rule in rules:
            if kinds.matches(rule, fact):
                made += _notify(session, rule, f"incident:{fact['id']}", fact,
                                events.summary(fact, type=fact["type"],
                                               severity=fact["severity"]), event_at)
    return made


def visit(session: Session, visit_id, event_at: datetime, rules: RuleBook | None = None) -> int:
    """A visit submitted or edited: its incidents, access, red flags and lower ratings. An
    event's key names what it is about (a flag's code; a dimension and its new rating), so an
    edit that changes nothing adds nothing, and one that adds a flag or lowers a rating
    further alerts for that alone."""
    rules = rules or RuleBook(session)
    made = incidents(session, events.incidents_of_visit(session, visit_id), event_at, rules) \
        if rules("incident") else 0
    denied = events.visit_access(session, visit_id) if rules("access_denied") else None
    if denied is not None:
        for rule in rules("access_denied"):
            if kinds.matches(rule, denied):
                made += _notify(session, rule, f"access_denied:{visit_id}", denied,
                                events.summary(denied), event_at)
    if not (rules("red_flag") or rules("rating_lower")):
        return made
    facts, flags, lower = events.visit_findings(session, visit_id)
    if facts is None:
        return made
    for rule in rules("red_flag") if flags else ():
        for flag in flags:
            if kinds.matches(rule, flag):
                made += _notify(session, rule, f"red_flag:{visit_id}:{flag['code']}", flag,
                                events.summary(flag, code=flag["code"],
                                               dimension=flag["dimension"],
                                               state=flag["state"]), event_at)
    for rule in rules("rating_lower") if lower else ():
        for fall in lower:
            if kinds.matches(rule, fall):
                made += _notify(
                    session, rule, f"rating_lower:{visit_id}:{fall['dimension']}:{fall['rating']}",
                    fall, events.summary(fall, dimension=fall["dimension"],
                                         rating=fall["rating"], previous=fall["previous"]),
                    event_at)
    return made


def case(session: Session, case_id, event_at: datetime, rules: RuleBook | None = None) -> int:
    """A protection case received (or its triage entered): urgent cases alert once each."""
    rules = rules or RuleBook(session)
    if not rules("case_urgent"):
        return 0
    facts = events.case(session, case_id)
    if facts is None:  # an ODK case before a key holder has entered its urgency
        return 0
    made = 0
    for rule in rules("case_urgent"):
        if kinds.matches(rule, facts):
            made += _notify(session, rule, f"case_urgent:{case_id}", facts,
                            events.summary(facts, urgency=facts["urgency"]), event_at)
    return made


def cases_overdue(session: Session, now: datetime | None = None) -> int:
    """Open cases past their deadline: once per case and deadline (a deadline moved by a new
    triage that passes too is a new event)."""
    now = now or datetime.now(timezone.utc)
    rules = store.rules_of_kind(session, "case_overdue")
    made = 0
    for facts in events.cases_overdue(session, now) if rules else ():
        for rule in rules:
            if kinds.matches(rule, facts):
                key = f"case_overdue:{facts['id']}:{facts['due_at'].isoformat()}"
                made += _notify(session, rule, key, facts,
                                events.summary(facts, urgency=facts["urgency"]), now)
    return made


def not_visited(session: Session, now: datetime | None = None) -> int:
    now = now or datetime.now(timezone.utc)
    made = 0
    for rule in store.rules_of_kind(session, "not_visited"):
        params = rule.params
        for fact in events.not_visited(session, params["days"], now):
            if params.get("facility_ids") and str(fact["facility_id"]) not in \
                    params["facility_ids"]:
                continue
            if params.get("countries") and fact["country"] not in params["countries"]:
                continue
            key = f"not_visited:{fact['facility_id']}:{fact['last_visit_id'] or 'never'}"
            made += _notify(session, rule, key, fact,
                            events.summary(fact, days=params["days"]), now)
    return made
