"""Undoing a merge (POST /api/incidents/<id>/unmerge): the duplicate counts on its own again,
the undo is audited and in the incident's history; only its organisation's coordinators may."""
from __future__ import annotations

from sqlalchemy import text

from .conftest import add_incident, assert_problem


def test_a_merge_is_undone_and_audited(session, coalition):
    original = add_incident(session, coalition.own)
    duplicate = add_incident(session, coalition.own)
    merged = coalition.coordinator.post(f"/api/incidents/{duplicate.id}/merge",
                                        json={"original_id": str(original.id)})
    assert merged.status_code == 200, merged.data
    assert coalition.other_coordinator.post(
        f"/api/incidents/{duplicate.id}/unmerge").status_code == 404
    assert coalition.monitor.post(f"/api/incidents/{duplicate.id}/unmerge").status_code == 403
    undone = coalition.coordinator.post(f"/api/incidents/{duplicate.id}/unmerge")
    assert undone.status_code == 200 and undone.get_json()["duplicate_of"] is None
    assert session.execute(text("SELECT duplicate_of FROM incidents WHERE id = :i"),
                           {"i": duplicate.id}).scalar() is None
    actions = session.execute(text(
        "SELECT action FROM audit_log WHERE target_id = :i ORDER BY seq"),
        {"i": str(duplicate.id)}).scalars().all()
    assert actions[-2:] == ["incident.merge", "incident.unmerge"]
    events = session.execute(text(
        "SELECT action FROM review_events WHERE target_id = :i ORDER BY id"),
        {"i": duplicate.id}).scalars().all()
    assert events == ["merge", "unmerge"]
    assert_problem(coalition.coordinator.post(f"/api/incidents/{duplicate.id}/unmerge"), 409)
