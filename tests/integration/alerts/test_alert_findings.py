"""The assessment's alert rules (a new red flag at a facility; a dimension rated lower than at
the facility's last visit) and the protection-case rules (a case received urgent; a case
overdue): each fires once per event, never on a retried job, a retried upload or an edit that
changes nothing, and says nothing a case holds."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from server.alerts import evaluate, mail, store
from server.jobs.registry import FUNCTIONS
from tests import jobs_inline
from tests.integration.cases.test_cases_api import (  # noqa: F401 (fixtures)
    CANARY_NAME,
    CANARY_STORY,
    org_keys,
    submit,
    world,
)
from tests.integration.submissions.test_json_api import report

SAFE = {"held": {"women": 20, "men": 110}}  # no child held: no red flag from the head counts


def _rule(session, org, kind, params=None, user=None):
    rule_id = store.add_rule(session, org.id, user.id if user else None, kind, params or {},
                             None)
    session.flush()
    return rule_id


def _keys(session, user, kind=None) -> list[str]:
    return session.execute(text(
        "SELECT event_key FROM notifications WHERE user_id = :u "
        "AND (CAST(:k AS text) IS NULL OR kind = :k) ORDER BY event_key"),
        {"u": user.id, "k": kind}).scalars().all()


def _summaries(session, user, kind) -> list[dict]:
    return session.execute(text(
        "SELECT summary FROM notifications WHERE user_id = :u AND kind = :k "
        "ORDER BY event_key"), {"u": user.id, "k": kind}).scalars().all()


def _ratings(**given) -> dict:
    return {name: {"rating": rating or "insufficient_evidence",
                   "coverage": "full" if rating else "none",
                   "evidence": ["observed"] if rating else []}
            for name, rating in given.items()}


def _visit(facility, days_ago: int, **overrides) -> dict:
    started = datetime.now(timezone.utc) - timedelta(days=days_ago, hours=3)
    body = report(facility.id, started_at=started.isoformat(),
                  ended_at=(started + timedelta(hours=1)).isoformat(), incidents=[],
                  photos=[], **SAFE)
    body.update(overrides)
    return body


def _edit(body: dict, **changes) -> dict:
    return {**body, **changes, "id": str(uuid.uuid4()), "deprecated_id": body["id"]}


# --- red flags ------------------------------------------------------------------------------

def test_red_flag_rule_fires_once_per_flag(client, session, field):
    org, _, coordinator, facility, auth = field
    _rule(session, org, "red_flag")
    body = report(facility.id)  # children and an unaccompanied child held: two red flags
    assert client.post("/api/submissions", json=body, headers=auth).status_code == 201
    jobs_inline.run_all(session)
    assert _keys(session, coordinator) == [
        f"red_flag:{body['id']}:children_detained",
        f"red_flag:{body['id']}:unaccompanied_child_detained"]
    summary = _summaries(session, coordinator, "red_flag")[0]
    assert summary["code"] == "children_detained" and summary["facility"] == "Islam Qala"
    assert summary["state"] == "de_facto_authorities"
    assert "count" not in summary  # the finding, never how many people
    # the job again (a retry), the same upload again, an edit that changes nothing: no more
    assert FUNCTIONS["alerts.visit"](visit_id=body["id"]) == 0
    assert client.post("/api/submissions", json=body, headers=auth).status_code == 200
    same = _edit(body)
    assert client.post("/api/submissions", json=same, headers=auth).status_code == 201
    jobs_inline.run_all(session)
    assert len(_keys(session, coordinator)) == 2
    # an edit that reports a death at the visit: that one flag is new
    death = _edit(same, observations={**body["observations"], "deaths_known": 1})
    assert client.post("/api/submissions", json=death, headers=auth).status_code == 201
    jobs_inline.run_all(session)
    assert _keys(session, coordinator) == [
        f"red_flag:{body['id']}:children_detained", f"red_flag:{body['id']}:death",
        f"red_flag:{body['id']}:unaccompanied_child_detained"]


def test_red_flag_rule_filters_codes_places_and_scope(client, session, field):
    from tests import factories
    org, _, coordinator, facility, auth = field
    _rule(session, org, "red_flag", {"codes": ["death"]})
    _rule(session, org, "red_flag", {"countries": ["PAK"]})
    other_org = factories.organisation(session)
    other = factories.user(session, role="coordinator", organisation=other_org)
    _rule(session, other_org, "red_flag")  # scope own: another organisation's visit is silent
    coalition = factories.user(session, role="coordinator", organisation=other_org)
    _rule(session, other_org, "red_flag", {"scope": "coalition", "codes": ["death"]},
          user=coalition)
    body = report(facility.id, observations={"deaths_known": 2})
    assert client.post("/api/submissions", json=body, headers=auth).status_code == 201
    jobs_inline.run_all(session)
    assert _keys(session, coordinator) == [f"red_flag:{body['id']}:death"]
    assert _keys(session, other) == [] and _keys(session, coalition) == [
        f"red_flag:{body['id']}:death"]


def test_red_flag_rule_params_are_checked(signed_in_client):
    client, _ = signed_in_client("coordinator")
    bad = client.post("/api/alert-rules", json={"kind": "red_flag",
                                                "params": {"codes": ["not_a_flag"]}})
    assert bad.status_code == 422 and "params.codes" in bad.get_data(as_text=True)
    good = client.post("/api/alert-rules", json={"kind": "red_flag",
                                                 "params": {"codes": ["death"]}})
    assert good.status_code == 201, good.get_json()


# --- a dimension rated lower than at the last visit ----------------------------------------

def test_lower_rating_fires_once_per_dimension_and_rating(client, session, field):
    org, _, coordinator, facility, auth = field
    _rule(session, org, "rating_lower")
    first = _visit(facility, 20, assessment=_ratings(safety_treatment=3, legal_protection=3,
                                                     material_conditions=2))
    assert client.post("/api/submissions", json=first, headers=auth).status_code == 201
    jobs_inline.run_all(session)
    assert _keys(session, coordinator) == []  # nothing to compare with
    second = _visit(facility, 5, assessment=_ratings(safety_treatment=2, legal_protection=3,
                                                     material_conditions=3))
    assert client.post("/api/submissions", json=second, headers=auth).status_code == 201
    jobs_inline.run_all(session)
    assert _keys(session, coordinator) == [f"rating_lower:{second['id']}:safety_treatment:2"]
    summary = _summaries(session, coordinator, "rating_lower")[0]
    assert (summary["dimension"], summary["rating"], summary["previous"]) == (
        "safety_treatment", 2, 3)
    assert FUNCTIONS["alerts.visit"](visit_id=second["id"]) == 0
    same = _edit(second)
    assert client.post("/api/submissions", json=same, headers=auth).status_code == 201
    jobs_inline.run_all(session)
    assert len(_keys(session, coordinator)) == 1
    # an edit that lowers legal protection too: that dimension alerts, safety does not again
    lower = _edit(same, assessment=_ratings(safety_treatment=2, legal_protection=1,
                                            material_conditions=3))
    assert client.post("/api/submissions", json=lower, headers=auth).status_code == 201
    jobs_inline.run_all(session)
    assert _keys(session, coordinator) == [
        f"rating_lower:{second['id']}:legal_protection:1",
        f"rating_lower:{second['id']}:safety_treatment:2"]


def test_lower_rating_compares_with_the_last_counting_rated_visit(client, session, field):
    org, _, coordinator, facility, auth = field
    _rule(session, org, "rating_lower", {"dimensions": ["safety_treatment"]})
    rated = _visit(facility, 30, assessment=_ratings(safety_treatment=4, legal_protection=4))
    unjudged = _visit(facility, 20, assessment=_ratings(safety_treatment=None,
                                                        legal_protection=4))
    rejected = _visit(facility, 10, assessment=_ratings(safety_treatment=2, legal_protection=2))
    for body in (rated, unjudged, rejected):
        assert client.post("/api/submissions", json=body, headers=auth).status_code == 201
    jobs_inline.run_all(session)
    session.execute(text("UPDATE visits SET review_status = 'rejected' WHERE id = :id"),
                    {"id": rejected["id"]})
    now = _visit(facility, 1, assessment=_ratings(safety_treatment=3, legal_protection=1))
    assert client.post("/api/submissions", json=now, headers=auth).status_code == 201
    jobs_inline.run_all(session)
    # the rejected visit's 2 is not the last rating (else 3 would be higher); the unjudged
    # visit is skipped; legal protection fell but the rule asks for safety only
    keys = [k for k in _keys(session, coordinator) if k.startswith(f"rating_lower:{now['id']}")]
    assert keys == [f"rating_lower:{now['id']}:safety_treatment:3"]


def test_a_late_report_of_an_earlier_visit_compares_with_the_visit_before_it(
        client, session, field):
    org, _, coordinator, facility, auth = field
    _rule(session, org, "rating_lower")
    older = _visit(facility, 30, assessment=_ratings(material_conditions=2))
    newer = _visit(facility, 2, assessment=_ratings(material_conditions=1))
    late = _visit(facility, 15, assessment=_ratings(material_conditions=3))
    for body in (older, newer, late):
        assert client.post("/api/submissions", json=body, headers=auth).status_code == 201
    jobs_inline.run_all(session)
    # newer (1) was lower than older (2) when it came; late (3) is higher than older (2)
    assert _keys(session, coordinator) == [f"rating_lower:{newer['id']}:material_conditions:1"]


# --- protection cases -----------------------------------------------------------------------

def test_urgent_case_alerts_its_organisation_once_and_says_nothing_it_holds(session, world):
    org, holder = world["org"], world["holder"]
    _rule(session, org, "case_urgent")  # default: immediate
    _rule(session, org, "case_urgent", {"urgencies": ["within_72h"]}, user=holder)
    immediate, _ = submit(world, "immediate")
    routine, _ = submit(world, "routine")
    assert "alerts.drain" in jobs_inline.run_all(session)
    assert _keys(session, holder) == [f"case_urgent:{immediate}"]
    assert FUNCTIONS["alerts.case"](case_id=immediate) == 0
    soon, _ = submit(world, "within_72h")
    jobs_inline.run_all(session)
    assert _keys(session, holder) == sorted([f"case_urgent:{immediate}", f"case_urgent:{soon}"])
    assert routine not in " ".join(_keys(session, holder))
    summaries = _summaries(session, holder, "case_urgent")
    words = " ".join(mail.line("case_urgent", s) for s in summaries) + str(summaries)
    assert CANARY_NAME not in words and CANARY_STORY not in words
    assert "immediate" in words and world["facility"].name in words


def test_overdue_case_alerts_once_per_deadline(session, world):
    org, holder = world["org"], world["holder"]
    _rule(session, org, "case_overdue")
    case_id, _ = submit(world, "routine")
    jobs_inline.run_all(session)
    assert evaluate.cases_overdue(session) == 0  # due in 14 days
    session.execute(text("UPDATE cases SET due_at = now() - interval '1 hour' WHERE id = :id"),
                    {"id": case_id})
    assert evaluate.cases_overdue(session) == 1
    assert evaluate.cases_overdue(session) == 0
    assert len(_keys(session, holder, "case_overdue")) == 1
    summary = _summaries(session, holder, "case_overdue")[0]
    assert summary["urgency"] == "routine" and "overdue" in mail.line("case_overdue", summary)
    # closed: overdue no more; a new deadline that passes is a new event
    session.execute(text("UPDATE cases SET due_at = now() - interval '2 hours' WHERE id = :id"),
                    {"id": case_id})
    assert evaluate.cases_overdue(session) == 1
    session.execute(text("UPDATE cases SET status = 'closed', due_at = now() - interval "
                         "'3 hours' WHERE id = :id"), {"id": case_id})
    assert evaluate.cases_overdue(session) == 0


def test_case_rules_never_reach_another_organisation(session, world):
    from tests import factories
    other_org = factories.organisation(session)
    other = factories.user(session, role="coordinator", organisation=other_org)
    _rule(session, other_org, "case_urgent", {"urgencies": ["immediate", "within_72h",
                                                            "routine"]})
    _rule(session, other_org, "case_overdue")
    case_id, _ = submit(world, "immediate")
    jobs_inline.run_all(session)
    session.execute(text("UPDATE cases SET due_at = now() - interval '1 hour' WHERE id = :id"),
                    {"id": case_id})
    evaluate.cases_overdue(session)
    assert _keys(session, other) == []


def test_case_rule_params_refuse_places_of_other_kinds(signed_in_client):
    client, _ = signed_in_client("coordinator")
    bad = client.post("/api/alert-rules", json={"kind": "case_urgent",
                                                "params": {"scope": "coalition"}})
    assert bad.status_code == 422
    bad = client.post("/api/alert-rules", json={"kind": "case_urgent",
                                                "params": {"urgencies": ["soon"]}})
    assert bad.status_code == 422 and "params.urgencies" in bad.get_data(as_text=True)


def test_case_rules_know_every_urgency_of_a_case():
    from server.alerts.kinds import URGENCIES
    from server.cases.vocabulary import URGENCIES as CASE_URGENCIES
    assert URGENCIES == CASE_URGENCIES
