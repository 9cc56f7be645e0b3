"""The scheduled job makes each scheduled brief once per period, in each language."""
from __future__ import annotations

from datetime import date

from sqlalchemy import text

from server.briefs import service
from server.core.access import Principal
from tests.integration.briefs import helpers


def test_scheduled_briefs_once_per_period(session):
    org, coordinator, *_ = helpers.field(session)
    principal = Principal(kind="user", user_id=coordinator.id, organisation_id=org.id,
                          role="coordinator")
    service.add_schedule(session, principal, {"period_kind": "quarter", "scope_kind": "all",
                                              "audience": "internal",
                                              "languages": ["en", "ps"]})
    assert service.run_schedules(session, today=date(2025, 4, 2)) == 2
    assert service.run_schedules(session, today=date(2025, 4, 3)) == 0  # same quarter: kept
    rows = session.execute(text(
        "SELECT period_start, language, scheduled FROM briefs WHERE organisation_id = :o "
        "ORDER BY language"), {"o": org.id}).all()
    assert [(r.period_start, r.language, r.scheduled) for r in rows] == [
        (date(2025, 1, 1), "en", True), (date(2025, 1, 1), "ps", True)]
    assert session.execute(text("SELECT count(*) FROM audit_log WHERE action = 'brief.generate' "
                                "AND organisation_id = :o"), {"o": org.id}).scalar() == 2
    assert service.run_schedules(session, today=date(2025, 7, 1)) == 2  # the next quarter
