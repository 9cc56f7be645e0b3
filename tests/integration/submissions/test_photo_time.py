"""A photo the camera says was taken far from the visit's time flags the visit for the
reviewer (never refuses it); photos arriving later, by the JSON API, are checked too."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from tests import photos
from tests.integration.submissions.test_json_api import report
from tests.openrosa_samples import submission_xml, visit_values

TAKEN = datetime(2026, 11, 20, 4, 45, 2, tzinfo=timezone.utc)  # the sample's 09:15:02+04:30


def _flags(session, visit_id) -> dict:
    flags = session.execute(text("SELECT flags FROM visits WHERE id = :v"),
                            {"v": visit_id}).scalar_one()
    return {f["code"]: f["reason"] for f in flags}


@pytest.mark.parametrize("start,flagged", [
    (TAKEN - timedelta(hours=1), False),        # taken during the visit
    (TAKEN + timedelta(hours=20), False),       # within the 24 h tolerance
    (TAKEN + timedelta(days=3), True),          # three days before the visit began
])
def test_a_photo_taken_far_from_the_visit_flags_it(client, session, field, start, flagged):
    *_, facility, auth = field
    body = report(facility.id, photos=["cell.jpg"], started_at=start.isoformat(),
                  ended_at=(start + timedelta(hours=2)).isoformat())
    assert client.post("/api/submissions", json=body, headers=auth).status_code == 201
    assert "photo_time" not in _flags(session, body["id"])
    put = client.put(f"/api/submissions/{body['id']}/photos/cell.jpg",
                     data=photos.jpeg_with_everything(), headers=auth, content_type="image/jpeg")
    assert put.status_code == 201, "flagged, never refused"
    flags = _flags(session, body["id"])
    assert ("photo_time" in flags) is flagged
    if flagged:
        assert flags["photo_time"] == ("Taken more than 24 h before or after the visit, by the "
                                       "camera's clock: cell.jpg (2026-11-20 09:15:02+04:30)")


def test_photos_without_a_capture_time_leave_the_flags_alone(client, session, field):
    *_, facility, auth = field
    body = report(facility.id, photos=["cell.jpg"])
    client.post("/api/submissions", json=body, headers=auth)
    before = _flags(session, body["id"])
    client.put(f"/api/submissions/{body['id']}/photos/cell.jpg", data=photos.png(),
               headers=auth, content_type="image/png")
    assert _flags(session, body["id"]) == before


def test_an_odk_photo_sent_with_its_report_is_checked_too(client, session, field):
    """ODK Collect sends the photo with the report; the sample was taken days before."""
    *_, facility, auth = field
    xml, instance = submission_xml(visit_values(facility.id), photos=["cell.jpg"])
    token = auth["Authorization"].removeprefix("Bearer ")
    response = client.post(f"/key/{token}/submission", content_type="multipart/form-data",
                           data={"xml_submission_file": (io.BytesIO(xml), "submission.xml"),
                                 "cell.jpg": (io.BytesIO(photos.jpeg_with_everything()),
                                              "cell.jpg")})
    assert response.status_code == 201, response.get_data(as_text=True)
    visit_id = instance.removeprefix("uuid:")
    assert "cell.jpg (2026-11-20 09:15:02+04:30)" in _flags(session, visit_id)["photo_time"]
