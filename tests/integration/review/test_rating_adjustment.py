"""A coordinator adjusts one dimension's rating at review
(POST /api/visits/<id>/dimensions/<dimension>): the rating is kept beside what it replaced, the
visit's ring follows, the change is audited with its reason; only the visit's organisation's
coordinators may, and bad input changes nothing."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from server.assessment.vocabulary import DIMENSIONS
from server.visits.models import Visit
from tests import factories

from .conftest import assert_problem


def _rated(ratings) -> dict:
    return {name: {"rating": r, "insufficient_evidence": r is None, "source": "monitor",
                   "coverage": "full", "evidence": ["observed"]}
            for name, r in zip(DIMENSIONS, ratings)}


@pytest.fixture()
def visit(session, coalition):
    facility = factories.facility(session, kind="detention_centre", country="IRN")
    started = datetime.now(timezone.utc) - timedelta(days=2)
    row = Visit(id=uuid.uuid4(), facility_id=facility.id, organisation_id=coalition.own.id,
                source="json", started_at=started, ended_at=started + timedelta(hours=1),
                access="full", review_status="submitted", dimensions=_rated((3, 3, 4, 3)),
                red_flags=[], ring="3")
    session.add(row)
    session.flush()
    return row


def _stored(session, visit_id):
    return session.execute(text("SELECT dimensions, ring FROM visits WHERE id = :i"),
                           {"i": visit_id}).one()


def test_an_adjusted_rating_is_kept_with_what_it_replaced_and_the_ring_follows(
        session, coalition, visit):
    dimension = DIMENSIONS[0]
    answer = coalition.coordinator.post(f"/api/visits/{visit.id}/dimensions/{dimension}",
                                        json={"rating": 2, "reason": "Two people in isolation"})
    assert answer.status_code == 200, answer.data
    body = answer.get_json()
    assert body["rating"] == 2 and body["source"] == "coordinator"
    assert body["adjusted"]["from"] == 3 and body["adjusted"]["from_source"] == "monitor"
    assert body["adjusted"]["by"] == str(coalition.coordinator_user.id)
    dimensions, ring = _stored(session, visit.id)
    assert dimensions[dimension]["rating"] == 2 and ring == "2"
    assert dimensions[DIMENSIONS[1]]["rating"] == 3  # the others untouched
    details = session.execute(text(
        "SELECT details FROM audit_log WHERE action = 'visit.rating_adjusted' AND target_id = :i"),
        {"i": str(visit.id)}).scalar_one()
    assert details == {"dimension": dimension, "from": 3, "to": 2,
                       "reason": "Two people in isolation"}

    answer = coalition.coordinator.post(f"/api/visits/{visit.id}/dimensions/{DIMENSIONS[1]}",
                                        json={"rating": "insufficient_evidence", "reason": "x"})
    assert answer.status_code == 200 and answer.get_json()["insufficient_evidence"] is True
    assert _stored(session, visit.id).dimensions[DIMENSIONS[1]]["rating"] is None


def test_only_the_visits_coordinators_and_only_good_input(session, coalition, visit):
    url = f"/api/visits/{visit.id}/dimensions/{DIMENSIONS[0]}"
    good = {"rating": 1, "reason": "seen"}
    before = _stored(session, visit.id)
    assert_problem(coalition.other_coordinator.post(url, json=good), 404)
    assert coalition.monitor.post(url, json=good).status_code == 403
    assert_problem(coalition.coordinator.post(f"/api/visits/{uuid.uuid4()}/dimensions/"
                                              f"{DIMENSIONS[0]}", json=good), 404)
    assert_problem(coalition.coordinator.post(f"/api/visits/{visit.id}/dimensions/beauty",
                                              json=good), 404)
    for bad, field in (({"rating": 5, "reason": "x"}, "rating"),
                       ({"rating": True, "reason": "x"}, "rating"),
                       ({"rating": 2, "reason": "  "}, "reason"),
                       ({"rating": 2}, "reason")):
        assert_problem(coalition.coordinator.post(url, json=bad), 422, field)
    assert _stored(session, visit.id) == before
    assert session.execute(text(
        "SELECT count(*) FROM audit_log WHERE action = 'visit.rating_adjusted' "
        "AND target_id = :i"), {"i": str(visit.id)}).scalar_one() == 0
