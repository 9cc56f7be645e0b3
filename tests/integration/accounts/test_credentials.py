"""Device tokens and partner keys: shown once, stored as hashes, scoped, expiring, revocable;
the ways they authenticate; organisation isolation for coordinators."""
from __future__ import annotations

import base64

from sqlalchemy import select, text

from server.accounts import odk
from server.accounts.models import DeviceToken, PartnerKey
from server.core.audit import AuditEntry
from tests import factories


def whoami(client, **kwargs):
    response = client.get("/api/auth/session", **kwargs)
    return response.status_code, response.get_json()


def test_coordinator_creates_a_device_token_for_a_monitor(signed_in_client, session, client):
    coordinator_client, coordinator = signed_in_client("coordinator")
    monitor = factories.user(session, "monitor", coordinator.organisation)
    response = coordinator_client.post("/api/device-tokens", json={
        "user_id": str(monitor.id), "label": "Torkham phone 2", "days": 10})
    assert response.status_code == 201
    body = response.get_json()
    raw = body["token"]
    assert raw.startswith("nzd_") and len(raw) > 40
    stored = session.get(DeviceToken, body["device_token"]["id"])
    assert stored.token_hash != raw and raw not in stored.hint
    assert body["device_token"]["status"] == "active"
    assert (stored.expires_at - stored.created_at).days in (9, 10)
    # the QR code configures ODK Collect with the token in the server URL
    settings = odk.decode(body["odk_settings"])
    assert settings["general"]["server_url"] == f"http://localhost/key/{raw}"
    assert settings["general"]["form_update_mode"] == "match_exactly"
    assert body["odk_qr_svg"].startswith("data:image/svg+xml;base64,")
    assert b"<svg" in base64.b64decode(body["odk_qr_svg"].split(",", 1)[1])
    audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "device_token.create"))
    assert audit.actor_id == coordinator.id and raw not in str(audit.details)
    # and it stands for the monitor
    status, me = whoami(client, headers=factories.bearer(raw))
    assert status == 200 and me["kind"] == "device" and me["user"] is None
    session.refresh(stored)
    assert stored.last_used_at is not None


def test_a_device_token_authenticates_in_the_path_header_and_basic(app, session, client):
    monitor = factories.user(session, "monitor")
    raw = factories.device_token(session, monitor)
    assert whoami(client, headers=factories.bearer(raw))[1]["kind"] == "device"
    basic = base64.b64encode(f"phone:{raw}".encode()).decode()
    assert whoami(client, headers={"Authorization": f"Basic {basic}"})[1]["kind"] == "device"
    path_route = next(r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/key/<"))
    url = path_route.replace("<token>", raw).replace("<form_id>", "x").replace("<filename>", "x")
    assert client.get(url).status_code not in (401, 403)
    assert client.get(path_route.replace("<token>", "nzd_wrong")).status_code == 401


def test_expired_revoked_and_unknown_tokens_are_refused(client, session):
    monitor = factories.user(session, "monitor")
    for raw in (factories.device_token(session, monitor, days=-1),
                factories.device_token(session, monitor, revoked=True),
                "nzd_" + "a" * 43, "something-else"):
        response = client.get("/api/facilities", headers=factories.bearer(raw))
        assert response.status_code == 401, raw
        assert response.mimetype == "application/problem+json"
        assert "unknown, expired or revoked" in response.get_json()["detail"]


def test_a_deactivated_monitor_s_device_stops_working(client, session):
    monitor = factories.user(session, "monitor")
    raw = factories.device_token(session, monitor)
    assert client.get("/api/facilities", headers=factories.bearer(raw)).status_code == 200
    monitor.active = False
    session.flush()
    assert client.get("/api/facilities", headers=factories.bearer(raw)).status_code == 401


def test_revoking_a_device_token(signed_in_client, session, client):
    coordinator_client, coordinator = signed_in_client("coordinator")
    monitor = factories.user(session, "monitor", coordinator.organisation)
    raw = factories.device_token(session, monitor)
    token_id = session.scalar(select(DeviceToken.id).where(DeviceToken.user_id == monitor.id))
    response = coordinator_client.post(f"/api/device-tokens/{token_id}/revoke")
    assert response.status_code == 200 and response.get_json()["status"] == "revoked"
    assert client.get("/api/facilities", headers=factories.bearer(raw)).status_code == 401
    assert "device_token.revoke" in session.scalars(select(AuditEntry.action)).all()


def test_coordinators_manage_only_their_own_organisation_s_devices(signed_in_client, session):
    client_a, coordinator_a = signed_in_client("coordinator")
    client_b, _ = signed_in_client("coordinator")
    monitor_a = factories.user(session, "monitor", coordinator_a.organisation)
    factories.device_token(session, monitor_a)
    token_id = session.scalar(select(DeviceToken.id).where(DeviceToken.user_id == monitor_a.id))

    create = client_b.post("/api/device-tokens", json={"user_id": str(monitor_a.id),
                                                       "label": "not mine"})
    assert create.status_code == 404
    assert client_b.post(f"/api/device-tokens/{token_id}/revoke").status_code == 404
    assert client_b.get("/api/device-tokens").get_json()["items"] == []
    listed = client_a.get("/api/device-tokens").get_json()["items"]
    assert [t["id"] for t in listed] == [str(token_id)]
    # nor for someone who is not a monitor
    assert client_a.post("/api/device-tokens", json={
        "user_id": str(coordinator_a.id), "label": "x"}).status_code == 404
    assert session.get(DeviceToken, token_id).revoked_at is None


def test_admin_creates_a_scoped_partner_key(signed_in_client, session, client):
    admin, _ = signed_in_client("admin")
    partner = factories.organisation(session, kind="partner")
    response = admin.post("/api/partner-keys", json={
        "organisation_id": str(partner.id), "scopes": ["facilities:read"], "label": "UN sync"})
    assert response.status_code == 201
    raw = response.get_json()["key"]
    assert raw.startswith("nzp_")
    stored = session.scalar(select(PartnerKey).where(PartnerKey.organisation_id == partner.id))
    assert stored.scopes == ["facilities:read"] and stored.key_hash != raw
    assert session.execute(text("SELECT count(*) FROM partner_keys WHERE key_hash = :raw OR "
                                "hint = :raw"), {"raw": raw}).scalar() == 0
    assert client.get("/api/facilities", headers=factories.bearer(raw)).status_code == 200
    basic = base64.b64encode(f"api:{raw}".encode()).decode()
    assert client.get("/api/facilities", headers={"Authorization": f"Basic {basic}"}
                      ).status_code == 200
    # a key is not a user: no facility writes, no account pages
    assert client.post("/api/facilities", json={}, headers=factories.bearer(raw)
                       ).status_code == 403
    assert client.get("/api/organisations", headers=factories.bearer(raw)).status_code == 403


def test_a_key_without_the_scope_is_forbidden(client, session):
    raw = factories.partner_key(session, scopes=("incidents:read",))
    response = client.get("/api/facilities", headers=factories.bearer(raw))
    assert response.status_code == 403
    assert "facilities:read" in response.get_json()["detail"]


def test_partner_key_rules(signed_in_client, session, client):
    admin, _ = signed_in_client("admin")
    partner = factories.organisation(session, kind="partner")
    member = factories.organisation(session)
    for payload, field in (
            ({"organisation_id": str(member.id), "scopes": ["exports"], "label": "x"},
             "organisation_id"),
            ({"organisation_id": str(partner.id), "scopes": ["everything"], "label": "x"},
             "scopes"),
            ({"organisation_id": str(partner.id), "scopes": [], "label": "x"}, "scopes"),
            ({"organisation_id": str(partner.id), "scopes": ["exports"], "label": "x",
              "days": 10_000}, "days")):
        response = admin.post("/api/partner-keys", json=payload)
        assert response.status_code == 422, payload
        assert field in response.get_json()["errors"], response.get_json()
    assert session.scalar(select(PartnerKey.id)) is None


def test_expired_and_revoked_partner_keys_are_refused(signed_in_client, session, client):
    admin, _ = signed_in_client("admin")
    expired = factories.partner_key(session, days=-1)
    assert client.get("/api/facilities", headers=factories.bearer(expired)).status_code == 401
    raw = factories.partner_key(session)
    key_id = session.scalar(select(PartnerKey.id).where(PartnerKey.revoked_at.is_(None),
                                                         PartnerKey.expires_at > text("now()")))
    assert admin.post(f"/api/partner-keys/{key_id}/revoke").status_code == 200
    response = client.get("/api/facilities", headers=factories.bearer(raw))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="nezarat-partner"'
    assert session.scalar(select(AuditEntry.action).order_by(AuditEntry.seq.desc()).limit(1)) \
        == "partner_key.revoke"
