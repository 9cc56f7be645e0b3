"""The facility timeline picture shows its dates in the reader's calendar (issue 18); its data
attributes stay ISO."""
from __future__ import annotations

from datetime import datetime, timezone

from server.assessment.assess import stored_dimensions
from server.assessment.vocabulary import DIMENSIONS
from tests import factories
from tests.conftest import csrf_of

from .conftest import add_visit
from .test_facility_timeline import _assessed

MOMENT = datetime(2023, 11, 15, 9, 0, tzinfo=timezone.utc)  # 24 Aqrab 1402


def test_the_timeline_dates_follow_the_calendar(session, signed_in_client):
    client, user = signed_in_client("coordinator")
    facility = factories.facility(session, kind="detention_centre", country="IRN")
    assessment = _assessed(dict(zip(DIMENSIONS, (3, 2, 2, 4))))
    add_visit(session, facility, user.organisation, MOMENT,
              dimensions=stored_dimensions(assessment), red_flags=assessment["red_flags"],
              ring=assessment["ring"])
    url = f"/api/map/facilities/{facility.id}/timeline.svg"
    svg = client.get(url).get_data(as_text=True)
    assert "15 Nov 2023" in svg and 'data-date="2023-11-15"' in svg
    client.post("/account/calendar", data={"calendar": "solar_hijri",
                                           "csrf_token": csrf_of(client)},
                headers={"Accept": "text/html"})
    answer = client.get(url)
    svg = answer.get_data(as_text=True)
    assert "24 Aqrab 1402" in svg and "Nov 2023" not in svg
    assert 'data-date="2023-11-15"' in svg  # machine-readable values stay ISO
    assert "no-store" in answer.headers.get("Cache-Control", "") or \
        "private" in answer.headers.get("Cache-Control", "")
