"""Lost and coerced phones (issue 17): who may mark a phone lost and read what it held, the
erase signal only for the lost token itself, the silent duress call, and the neutral face."""
from __future__ import annotations

import hashlib
import json
import re
import uuid

import pytest
from sqlalchemy import select

from server import create_app
from server.accounts.models import DeviceToken
from server.core.audit import AuditEntry
from tests import factories

FORMS = "/m/forms/index.json"


def test_marking_lost_revokes_and_only_that_token_hears_erase(signed_in_client, session, client):
    coordinator_client, coordinator = signed_in_client("coordinator")
    monitor = factories.user(session, "monitor", coordinator.organisation)
    raw = factories.device_token(session, monitor)
    token = session.scalars(select(DeviceToken).where(DeviceToken.user_id == monitor.id)).one()
    draft = str(uuid.uuid4())
    response = client.post("/api/device/check-in", headers=factories.bearer(raw), json={
        "pending": [{"id": draft, "created_at": "2026-01-02T03:04:05Z",
                     "updated_at": "2026-01-02T04:04:05Z"}]})
    assert response.status_code == 204

    # Another organisation's coordinator and the monitor's own phone may not.
    outsider, _ = signed_in_client("coordinator")
    assert outsider.post(f"/api/device-tokens/{token.id}/lost").status_code == 404
    assert outsider.get(f"/api/device-tokens/{token.id}/pending").status_code == 404
    assert client.get(f"/api/device-tokens/{token.id}/pending",
                      headers=factories.bearer(raw)).status_code == 403

    response = coordinator_client.post(f"/api/device-tokens/{token.id}/lost")
    assert response.status_code == 200
    assert response.get_json()["status"] == "revoked" and response.get_json()["lost_at"]
    pending = coordinator_client.get(f"/api/device-tokens/{token.id}/pending").get_json()
    assert [(p["id"], p["created_at"]) for p in pending["pending"]] == [
        (draft, "2026-01-02T03:04:05Z")]
    assert session.scalar(select(AuditEntry.action).where(
        AuditEntry.target_id == str(token.id), AuditEntry.action == "device_token.lost"))

    lost = client.get(FORMS, headers=factories.bearer(raw))
    assert lost.status_code == 401 and lost.get_json()["type"].endswith("/device-lost")
    # Any other token, revoked or unknown, gets the plain refusal: nothing tells them apart.
    other = factories.device_token(session, monitor, revoked=True)
    for refused in (client.get(FORMS, headers=factories.bearer(other)),
                    client.get(FORMS, headers=factories.bearer("nzd_" + "x" * 43))):
        assert refused.status_code == 401 and refused.get_json()["type"].endswith("/unauthenticated")
        assert refused.get_json()["title"] == lost.get_json()["title"]


def test_duress_is_silent_revokes_and_is_audited(session, client):
    monitor = factories.user(session, "monitor")
    raw = factories.device_token(session, monitor)
    report = str(uuid.uuid4())
    unknown = client.post("/api/device/duress", json={"proof": "0" * 64, "pending": []})
    known = client.post("/api/device/duress", json={
        "proof": hashlib.sha256(raw.encode()).hexdigest(), "pending": [report]})
    assert unknown.status_code == known.status_code == 204 and unknown.data == known.data == b""
    token = session.scalars(select(DeviceToken).where(DeviceToken.user_id == monitor.id)).one()
    session.refresh(token)
    assert token.duress_at and token.revoked_at and [p["id"] for p in token.pending] == [report]
    assert session.scalar(select(AuditEntry.action).where(
        AuditEntry.target_id == str(token.id), AuditEntry.action == "device_token.duress"))
    assert client.post("/api/device/duress", json={"proof": "not-hex"}).status_code == 422


def test_a_neutral_face_names_the_project_nowhere(app_config):
    app = create_app({**app_config, "MOBILE_APP_NAME": "Calculator",
                      "MOBILE_APP_ICON": "calculator", "MOBILE_APP_FACE": "calculator"})
    client = app.test_client()
    page = client.get("/m/").get_data(as_text=True)
    manifest = client.get("/m/manifest.webmanifest").get_json()
    assert "nezarat" not in page.lower() and "nezarat" not in json.dumps(manifest).lower()
    assert re.search(r"<title>Calculator</title>", page) and 'data-face="calculator"' in page
    assert manifest["name"] == manifest["short_name"] == "Calculator"
    assert all("/icons/calculator/" in icon["src"] for icon in manifest["icons"])
    worker = client.get("/m/sw.js").get_data(as_text=True)
    assert "/m/static/icons/icon-192.png" not in worker and "/icons/calculator/icon-192.png" in worker
    # The default stays Nezarat.
    default = create_app(app_config).test_client()
    assert "<title>Nezarat</title>" in default.get("/m/").get_data(as_text=True)


def _row(page: str, label: str) -> str:
    """The devices page's table row of the token with this label."""
    [row] = [r for r in page.split("<tr>") if f"<bdi>{label}</bdi>" in r]
    return row


def test_the_devices_page_marks_a_phone_lost_and_shows_what_it_held(signed_in_client, session,
                                                                    client):
    coordinator_client, coordinator = signed_in_client("coordinator")
    monitor = factories.user(session, "monitor", coordinator.organisation)
    lost_raw = factories.device_token(session, monitor, label="Torkham phone")
    coerced_raw = factories.device_token(session, monitor, label="Islam Qala phone")
    lost, coerced = (session.scalars(select(DeviceToken).where(DeviceToken.label == label)).one()
                     for label in ("Torkham phone", "Islam Qala phone"))
    draft, held = str(uuid.uuid4()), str(uuid.uuid4())
    assert client.post("/api/device/check-in", headers=factories.bearer(lost_raw), json={
        "pending": [{"id": draft, "created_at": "2026-01-02T03:04:05Z",
                     "updated_at": "2026-01-02T04:04:05Z"}]}).status_code == 204

    page = coordinator_client.get("/devices").get_data(as_text=True)
    row = _row(page, "Torkham phone")
    assert f'action="/devices/{lost.id}/lost"' in row and 'data-role="pending"' not in row
    # Nobody else marks it lost from the page: another organisation's coordinator, a monitor.
    outsider, _ = signed_in_client("coordinator")
    assert outsider.post(f"/devices/{lost.id}/lost").status_code == 404
    monitor_client, _ = signed_in_client("monitor", coordinator.organisation)
    assert monitor_client.post(f"/devices/{lost.id}/lost").status_code == 403
    session.refresh(lost)
    assert lost.lost_at is None

    marked = coordinator_client.post(f"/devices/{lost.id}/lost")
    assert marked.status_code == 303 and marked.headers["Location"].endswith("/devices")
    session.refresh(lost)
    assert lost.lost_at and lost.revoked_at
    assert session.scalar(select(AuditEntry.action).where(
        AuditEntry.target_id == str(lost.id), AuditEntry.action == "device_token.lost"))
    # The phone's next request is told to erase itself.
    erase = client.get(FORMS, headers=factories.bearer(lost_raw))
    assert erase.status_code == 401 and erase.get_json()["type"].endswith("/device-lost")

    # A duress PIN used on the other phone, with the report it still held.
    assert client.post("/api/device/duress", json={
        "proof": hashlib.sha256(coerced_raw.encode()).hexdigest(), "pending": [held]}
    ).status_code == 204

    page = coordinator_client.get("/devices").get_data(as_text=True)
    row = _row(page, "Torkham phone")
    assert 'data-role="lost"' in row and f'action="/devices/{lost.id}/lost"' not in row
    assert 'data-role="pending"' in row and draft in row and "2026-01-02T03:04:05Z" in row
    row = _row(page, "Islam Qala phone")
    assert 'data-role="duress"' in row and "Duress PIN used" in row and held in row
    assert 'data-role="lost"' not in row


def test_a_face_or_draft_limits_set_wrong_stop_the_app_at_start(app_config):
    """A typo in the face or the draft limits is told when the app starts, not as a 500 on every
    phone's /m/ (or drafts erased before they are flagged)."""
    for wrong, words in (({"MOBILE_APP_ICON": "calculater"}, "MOBILE_APP_ICON"),
                         ({"MOBILE_APP_FACE": "notes"}, "MOBILE_APP_FACE"),
                         ({"MOBILE_APP_NAME": "  "}, "MOBILE_APP_NAME"),
                         ({"MOBILE_DRAFT_FLAG_DAYS": 30, "MOBILE_DRAFT_ERASE_DAYS": 7},
                          "MOBILE_DRAFT_ERASE_DAYS"),
                         ({"MOBILE_DRAFT_FLAG_DAYS": -1}, "MOBILE_DRAFT_FLAG_DAYS")):
        with pytest.raises(ValueError, match=words):
            create_app({**app_config, **wrong})
    # 0 turns a limit off.
    create_app({**app_config, "MOBILE_DRAFT_FLAG_DAYS": 0, "MOBILE_DRAFT_ERASE_DAYS": 0})
    create_app({**app_config, "MOBILE_DRAFT_FLAG_DAYS": 7, "MOBILE_DRAFT_ERASE_DAYS": 0})
