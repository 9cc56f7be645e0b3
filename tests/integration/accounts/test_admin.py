"""Admins manage users and organisations (API and pages); nobody else can."""
from __future__ import annotations

import re

from sqlalchemy import select

from server.accounts.models import Organisation, User, UserSession
from server.core.audit import AuditEntry
from tests import factories
from tests.conftest import login

HTML = {"Accept": "text/html"}


def test_admin_creates_a_user_who_sets_a_password_by_link(signed_in_client, session, app):
    admin, _ = signed_in_client("admin")
    org = factories.organisation(session)
    response = admin.post("/api/users", json={"email": " New.Monitor@Example.org ",
                                              "name": "Zarghona", "role": "monitor",
                                              "organisation_id": str(org.id)})
    assert response.status_code == 201
    body = response.get_json()
    assert body["user"]["email"] == "new.monitor@example.org"
    assert body["user"]["two_factor_enabled"] is False
    user = session.get(User, body["user"]["id"])
    assert user.password_hash is None
    path = "/" + body["password_link"].split("/", 3)[3]
    browser = app.test_client()
    csrf = browser.get("/api/auth/session").get_json()["csrf_token"]
    browser.post(path, data={"new_password": "a long new passphrase",
                             "confirm_password": "a long new passphrase", "csrf_token": csrf})
    assert login(app.test_client(), user, "a long new passphrase")
    assert session.scalar(select(AuditEntry.details).where(AuditEntry.action == "user.create")
                          )["email"] == "new.monitor@example.org"


def test_user_rules(signed_in_client, session):
    admin, _ = signed_in_client("admin")
    member, partner = factories.organisation(session), factories.organisation(session,
                                                                               kind="partner")
    existing = factories.user(session, organisation=member)
    base = {"name": "X", "role": "monitor", "organisation_id": str(member.id)}
    duplicate = admin.post("/api/users", json=base | {"email": existing.email.upper()})
    assert duplicate.status_code == 409 and "email" in duplicate.get_json()["errors"]
    partner_user = admin.post("/api/users", json=base | {"email": "p@example.org",
                                                         "organisation_id": str(partner.id)})
    assert partner_user.status_code == 422  # a partner's people: coordinator accounts only
    assert "organisation_id" in partner_user.get_json()["errors"]
    partner_person = admin.post("/api/users", json=base | {
        "email": "person@partner.example.org", "organisation_id": str(partner.id),
        "role": "coordinator"})
    assert partner_person.status_code == 201, partner_person.get_json()
    demoted = admin.patch(f"/api/users/{partner_person.get_json()['user']['id']}",
                          json={"role": "monitor"})
    assert demoted.status_code == 422
    for bad in ({"role": "superuser"}, {"email": "not-an-email"}, {"password": "short"},
                {"unexpected": 1}):
        response = admin.post("/api/users", json=base | {"email": "ok@example.org"} | bad)
        assert response.status_code == 422, bad
    assert session.scalar(select(User.id).where(User.email == "ok@example.org")) is None


def test_deactivating_a_user_signs_them_out(signed_in_client, session, app):
    admin, _ = signed_in_client("admin")
    user = factories.user(session, "monitor")
    user_client = login(app.test_client(), user)
    response = admin.patch(f"/api/users/{user.id}", json={"active": False})
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert user_client.get("/api/organisations").status_code == 401
    assert session.scalar(select(UserSession.id).where(UserSession.user_id == user.id)) is None
    details = session.scalar(select(AuditEntry.details).where(AuditEntry.action == "user.update"))
    assert details == {"active": ["True", "False"]}


def test_the_last_admin_stays(signed_in_client, session):
    admin_client, admin = signed_in_client("admin")
    session.execute(User.__table__.update().where(User.id != admin.id).values(active=False))
    response = admin_client.patch(f"/api/users/{admin.id}", json={"role": "monitor"})
    assert response.status_code == 409
    session.refresh(admin)
    assert admin.role == "admin"


def test_organisations(signed_in_client, session):
    admin, _ = signed_in_client("admin")
    created = admin.post("/api/organisations", json={"name": "Kabul Monitors",
                                                     "short_name": "KM", "country": "AFG"})
    assert created.status_code == 201
    org_id = created.get_json()["id"]
    assert admin.post("/api/organisations", json={"name": "kabul monitors"}).status_code == 409
    assert admin.post("/api/organisations", json={"name": "X", "country": "Afghanistan"}
                      ).status_code == 422
    renamed = admin.patch(f"/api/organisations/{org_id}", json={"name": "Kabul Monitors Network"})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Kabul Monitors Network"
    factories.user(session, organisation=session.get(Organisation, org_id))
    to_partner = admin.patch(f"/api/organisations/{org_id}", json={"kind": "partner"})
    assert to_partner.status_code == 409  # it has user accounts
    names = [o["name"] for o in admin.get("/api/organisations").get_json()["items"]]
    assert "Kabul Monitors Network" in names


def test_lists_are_keyset_paginated(signed_in_client, session):
    admin, _ = signed_in_client("admin")
    org = factories.organisation(session)
    for _ in range(5):
        factories.user(session, organisation=org)
    seen, url = [], f"/api/users?organisation_id={org.id}&limit=2"
    while url:
        page = admin.get(url).get_json()
        seen += [u["email"] for u in page["items"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    assert len(seen) == 5 and seen == sorted(seen)
    assert admin.get("/api/users?cursor=garbage").status_code == 422


def test_only_admins_manage_accounts(signed_in_client, session):
    for role in ("coordinator", "monitor"):
        client, _ = signed_in_client(role)
        assert client.get("/api/users").status_code == 403
        assert client.post("/api/organisations", json={"name": "Mine"}).status_code == 403
        assert client.get("/admin/users", headers=HTML).status_code == 403
        assert client.get("/admin/audit").status_code == 403
    assert signed_in_client("monitor")[0].get("/devices").status_code == 403


def test_admin_pages(signed_in_client, session):
    admin, _ = signed_in_client("admin")
    org = factories.organisation(session)
    partner = factories.organisation(session, kind="partner", name="Partner Agency")
    monitor = factories.user(session, organisation=org, name="Shabnam")
    pages = {"/admin/users": "Shabnam", "/admin/organisations": "Partner Agency",
             f"/admin/users/{monitor.id}": monitor.email, "/devices": "Shabnam",
             "/admin/partner-keys": "Partner Agency", "/admin/audit": "user",
             f"/admin/organisations/{org.id}": org.name, "/account": "admin"}
    for path, text in pages.items():
        response = admin.get(path, headers=HTML)
        assert response.status_code == 200, path
        assert text in response.get_data(as_text=True), path

    created = admin.post("/admin/users", data={"email": "page@example.org", "name": "Paged",
                                               "role": "coordinator",
                                               "organisation_id": str(org.id)})
    assert created.status_code == 201
    assert re.search(r"/reset/nzr_[\w-]+", created.get_data(as_text=True))
    refused = admin.post("/admin/users", data={"email": "page@example.org", "name": "Again",
                                               "role": "monitor", "organisation_id": str(org.id)})
    assert refused.status_code == 409 and "Already has an account" in refused.get_data(as_text=True)

    token = admin.post("/devices", data={"user_id": str(monitor.id), "label": "Phone A",
                                         "days": "30"})
    assert token.status_code == 201
    html = token.get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in html and "nzd_" in html

    key = admin.post("/admin/partner-keys", data={"organisation_id": str(partner.id),
                                                  "label": "sync", "days": "30",
                                                  "scopes": ["incidents:read", "exports"]})
    assert key.status_code == 201 and "nzp_" in key.get_data(as_text=True)
    no_scope = admin.post("/admin/partner-keys", data={"organisation_id": str(partner.id),
                                                       "label": "sync", "days": "30"})
    assert no_scope.status_code == 422


def test_coordinator_device_page_lists_only_their_monitors(signed_in_client, session):
    client, coordinator = signed_in_client("coordinator")
    mine = factories.user(session, organisation=coordinator.organisation, name="Mine Monitor")
    factories.user(session, name="Other Org Monitor")
    html = client.get("/devices", headers=HTML).get_data(as_text=True)
    assert "Mine Monitor" in html and "Other Org Monitor" not in html
    factories.device_token(session, mine, label="Mine phone")
    assert "Mine phone" in client.get("/devices").get_data(as_text=True)
