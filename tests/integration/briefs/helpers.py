"""Facilities, visits and incidents for the brief tests, in a known quarter (2025-Q1)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from server.visits.models import Visit
from tests import factories
from tests.integration.partner import helpers as partner_helpers

Q1 = date(2025, 1, 1)
DARI_NAME, PASHTO_NAME = "اسلام قلعه", "تورخم دروازه"


def visit(session, org, facility, day: date, *, ring="2", access="full", red_flags=(),
          dimensions=None):
    dims = dimensions if dimensions is not None else {"safety_treatment": {
        "rating": 2, "evidence": ["observed", "interview_private"], "indicators": [
            {"code": "space_per_person", "result": "not_met"},
            {"code": "water", "result": "partly_met"}]},
        "legal_protection": {"rating": 3, "evidence": ["staff_statement"], "indicators": []}}
    row = Visit(id=uuid.uuid4(), facility_id=facility.id, organisation_id=org.id, source="json",
                started_at=datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc),
                ended_at=datetime(day.year, day.month, day.day, 11, tzinfo=timezone.utc),
                access=access, ring=ring, dimensions=dims, red_flags=list(red_flags),
                review_status="verified")
    session.add(row)
    session.flush()
    return row


def field(session):
    """An organisation with a coordinator, two facilities, visits and incidents in 2025-Q1
    (and a few in 2024-Q4, the previous period)."""
    org = factories.organisation(session)
    coordinator = factories.user(session, role="coordinator", organisation=org)
    islam_qala = factories.facility(session, lon=61.07, lat=34.67, name="Islam Qala",
                                    name_prs=DARI_NAME, name_pus=DARI_NAME, admin1="Herat")
    torkham = factories.facility(session, lon=71.08, lat=34.11, name="Torkham",
                                 name_prs=PASHTO_NAME, name_pus=PASHTO_NAME)
    visit(session, org, islam_qala, date(2025, 1, 10), ring="2")
    visit(session, org, islam_qala, date(2025, 2, 20), ring="red_flag", red_flags=[
        {"code": "death", "dimension": "safety_treatment", "state": "iran", "source": "visit",
         "count": 1},
        {"code": "asylum_denied", "dimension": "legal_protection", "state": "iran",
         "source": "incident", "count": 1}])
    visit(session, org, torkham, date(2025, 3, 5), ring="none", access="denied",
          dimensions={})
    incidents = []
    for n, (fac, kind, day, state) in enumerate([
            (islam_qala, "forced_return", date(2025, 1, 12), "iran"),
            (islam_qala, "forced_return", date(2025, 2, 3), "iran"),
            (islam_qala, "death", date(2025, 2, 20), "iran"),
            (torkham, "pushback", date(2025, 3, 9), "pakistan"),
            (torkham, "forced_return", date(2024, 12, 1), "pakistan")]):
        incidents.append(partner_helpers.incident(
            session, organisation=org, facility=fac, type=kind, occurred_on=day,
            state_responsible=state, lon=fac_lon(fac), lat=fac_lat(fac)))
    for _ in range(6):  # enough forced returns at Islam Qala in January to pass k = 5
        incidents.append(partner_helpers.incident(
            session, organisation=org, facility=islam_qala, type="forced_return",
            occurred_on=date(2025, 1, 15), state_responsible="iran"))
    return org, coordinator, islam_qala, torkham, incidents


def fac_lon(fac) -> float:
    return 61.07 if fac.name == "Islam Qala" else 71.08


def fac_lat(fac) -> float:
    return 34.67 if fac.name == "Islam Qala" else 34.11
