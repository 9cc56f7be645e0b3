"""A monitor moved from organisation A to organisation B keeps nothing of A: their device tokens
are revoked, their browser sessions ended, and full records (visits with notes, incidents with
narratives, photos) are read against the reader's current organisation, so what they submitted
for A stays A's."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from server.accounts.models import DeviceToken, UserSession
from server.core.audit import AuditEntry
from tests import factories, photos
from tests.conftest import login


def _report(facility) -> dict:
    now = datetime.now(timezone.utc)
    return {
        "id": str(uuid.uuid4()), "facility_id": str(facility.id),
        "started_at": (now - timedelta(hours=3)).isoformat(),
        "ended_at": (now - timedelta(hours=2)).isoformat(),
        "position": {"type": "Point", "coordinates": [61.0668, 34.6668]},
        "position_accuracy_m": 6, "access": "full", "held": {"men": 10},
        "notes": "The guard's name is in these notes", "photos": ["cell.jpg"],
        "incidents": [{"type": "arbitrary_arrest", "occurred_on": date.today().isoformat(),
                       "location_precision": "facility", "severity": 3,
                       "affected": {"men": 2}, "narrative": "Names a witness",
                       "photos": ["arrest.jpg"]}]}


@pytest.fixture()
def moved(app, client, session, signed_in_client):
    """Monitor M of organisation A, who submitted a visit with notes, an incident with a
    narrative and two photos, then was moved to organisation B by an admin."""
    org_a, org_b = factories.organisation(session), factories.organisation(session)
    monitor = factories.user(session, role="monitor", organisation=org_a)
    facility = factories.facility(session, lon=61.0667, lat=34.6667)
    token = factories.bearer(factories.device_token(session, monitor))
    second_token = factories.bearer(factories.device_token(session, monitor, label="Tablet"))
    body = _report(facility)
    assert client.post("/api/submissions", json=body, headers=token).status_code == 201
    for name in ("cell.jpg", "arrest.jpg"):
        put = client.put(f"/api/submissions/{body['id']}/photos/{name}",
                         data=photos.jpeg_with_gps(), headers=token, content_type="image/jpeg")
        assert put.status_code == 201
    browser = login(app.test_client(), monitor)
    incident_id = session.execute(text("SELECT id FROM incidents WHERE visit_id = :v"),
                                  {"v": body["id"]}).scalar_one()
    attachments = session.execute(text(
        "SELECT a.id FROM attachments a LEFT JOIN incidents i ON i.id = a.incident_id "
        "WHERE a.visit_id = :v OR i.visit_id = :v"), {"v": body["id"]}).scalars().all()
    assert len(attachments) == 2
    urls = [f"/api/visits/{body['id']}", f"/api/incidents/{incident_id}"] + [
        f"/api/attachments/{a}{suffix}" for a in attachments for suffix in ("", "/thumbnail")]
    # before the move, M reads all of it, with the token and with the browser
    for url in urls:
        assert client.get(url, headers=token).status_code == 200, url
        assert browser.get(url).status_code == 200, url

    admin, _ = signed_in_client("admin")
    response = admin.patch(f"/api/users/{monitor.id}", json={"organisation_id": str(org_b.id)})
    assert response.status_code == 200, response.get_json()
    return {"monitor": monitor, "org_a": org_a, "org_b": org_b, "tokens": (token, second_token),
                "browser": browser, "urls": urls, "visit_id": body["id"]}


def test_the_old_device_tokens_are_refused_and_revoked(client, session, moved):
    for token in moved["tokens"]:
        response = client.get("/api/visits", headers=token)
        assert response.status_code == 401, response.get_json()
        for url in moved["urls"]:
            assert client.get(url, headers=token).status_code == 401, url
    revoked = session.scalars(select(DeviceToken.revoked_at).where(
        DeviceToken.user_id == moved["monitor"].id)).all()
    assert len(revoked) == 2 and all(at is not None for at in revoked)
    details = session.scalar(select(AuditEntry.details).where(
        AuditEntry.action == "user.update"))
    assert details["organisation_id"] == [str(moved["org_a"].id), str(moved["org_b"].id)]
    assert details["revoked_device_tokens"] == 2


def test_the_old_browser_session_is_refused(session, moved):
    assert moved["browser"].get("/api/visits").status_code == 401
    for url in moved["urls"]:
        assert moved["browser"].get(url).status_code == 401, url
    assert session.scalar(select(UserSession.id).where(
        UserSession.user_id == moved["monitor"].id)) is None


def test_signed_in_again_they_cannot_read_the_old_organisations_records(app, client, session,
                                                                       moved):
    browser = login(app.test_client(), moved["monitor"])
    new_token = factories.bearer(factories.device_token(session, moved["monitor"]))
    for url in moved["urls"]:
        assert browser.get(url).status_code == 404, url
        assert client.get(url, headers=new_token).status_code == 404, url
    assert browser.get("/api/visits").get_json()["items"] == []
    # nothing was read: no sensitive read is audited after the move
    reads = session.execute(text(
        "SELECT count(*) FROM audit_log WHERE action IN ('visit.read_sensitive', "
        "'incident.read_sensitive', 'attachment.read') AND seq > (SELECT seq FROM audit_log "
        "WHERE action = 'user.update')")).scalar()
    assert reads == 0


def test_a_token_of_another_organisation_than_its_monitor_is_refused(client, session):
    """However the account came to change organisation (a direct fix in the database, a
    restore), a device token speaks only for the organisation it was issued in."""
    org_a, org_b = factories.organisation(session), factories.organisation(session)
    monitor = factories.user(session, role="monitor", organisation=org_a)
    token = factories.bearer(factories.device_token(session, monitor))
    assert client.get("/api/visits", headers=token).status_code == 200
    session.execute(text("UPDATE users SET organisation_id = :b WHERE id = :id"),
                    {"b": org_b.id, "id": monitor.id})
    assert client.get("/api/visits", headers=token).status_code == 401


def test_full_records_follow_the_readers_current_organisation(app, client, session):
    """Moved without going through the service, the monitor still reads nothing of A."""
    org_a, org_b = factories.organisation(session), factories.organisation(session)
    monitor = factories.user(session, role="monitor", organisation=org_a)
    facility = factories.facility(session, lon=61.0667, lat=34.6667)
    token = factories.bearer(factories.device_token(session, monitor))
    body = _report(facility)
    client.post("/api/submissions", json=body, headers=token)
    browser = login(app.test_client(), monitor)
    assert browser.get(f"/api/visits/{body['id']}").status_code == 200
    session.execute(text("UPDATE users SET organisation_id = :b WHERE id = :id"),
                    {"b": org_b.id, "id": monitor.id})
    assert browser.get(f"/api/visits/{body['id']}").status_code == 404
