"""Admins browse and filter the audit log (API and page) and verify the chain from the web."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from server.core import audit
from server.core.access import Principal
from tests import factories


def entries(client, query=""):
    response = client.get(f"/api/audit{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_filters_by_action_family_actor_and_target(signed_in_client, session):
    admin, admin_user = signed_in_client("admin")
    user = factories.user(session, "monitor")
    actor = Principal(kind="user", user_id=user.id, organisation_id=user.organisation_id)
    audit.record(session, "visit.create", actor, target_type="visit", target_id="v-1")
    audit.record(session, "visit.review", actor, target_type="visit", target_id="v-2")
    session.flush()

    actions = [e["action"] for e in entries(admin)["items"]]
    assert actions[:2] == ["visit.review", "visit.create"]  # newest first
    assert "auth.sign_in" in actions  # the admin's own sign-in
    assert {e["action"] for e in entries(admin, "?action=auth.*")["items"]} <= {
        "auth.sign_in", "auth.sign_in_failed", "auth.second_factor_failed"}
    by_actor = entries(admin, f"?actor_id={user.id}")["items"]
    assert [e["action"] for e in by_actor] == ["visit.review", "visit.create"]
    by_target = entries(admin, "?target_type=visit&target_id=v-1")["items"]
    assert [e["action"] for e in by_target] == ["visit.create"]
    assert entries(admin, "?action=visit.create")["items"][0]["hash"]


def test_filters_by_time_and_pages_back(signed_in_client, session):
    admin, _ = signed_in_client("admin")
    for n in range(5):
        audit.record(session, "test.page", None, details={"n": n})
    session.flush()
    session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
    session.execute(text("UPDATE audit_log SET occurred_at = occurred_at - interval '10 days' "
                         "WHERE details->>'n' = '0'"))
    since = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()
    recent = entries(admin, f"?action=test.page&since={since.replace('+', '%2B')}")["items"]
    assert sorted(e["details"]["n"] for e in recent) == [1, 2, 3, 4]
    seen, url = [], "/api/audit?action=test.page&limit=2"
    while url:
        page = admin.get(url).get_json()
        seen += [e["details"]["n"] for e in page["items"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    assert seen == [4, 3, 2, 1, 0]


def test_bad_filters_are_refused_with_the_field_named(signed_in_client):
    admin, _ = signed_in_client("admin")
    for query, field in (("?actor_id=nope", "actor_id"), ("?since=yesterday", "since"),
                         ("?limit=0", "limit"), ("?since=2025-01-01T00:00:00", "since")):
        response = admin.get(f"/api/audit{query}")
        assert response.status_code == 422, query
        assert field in response.get_json()["errors"], query


def test_only_admins_read_the_audit_log(signed_in_client, session, client):
    coordinator, _ = signed_in_client("coordinator")
    assert coordinator.get("/api/audit").status_code == 403
    assert client.get("/api/audit").status_code == 401
    key = factories.partner_key(session, scopes=("exports",))
    assert client.get("/api/audit", headers=factories.bearer(key)).status_code == 403


def test_verify_from_the_api_and_the_page(signed_in_client, session):
    admin, _ = signed_in_client("admin")
    report = admin.get("/api/audit/verify").get_json()
    assert report["intact"] is True and report["checked"] >= 1
    assert report["head_seq"] == report["checked"]
    session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
    session.execute(text("UPDATE audit_log SET action = 'auth.nothing' WHERE seq = 1"))
    broken = admin.get("/api/audit/verify").get_json()
    assert broken["intact"] is False and "entry 1 (auth.nothing" in broken["problem"]
    page = admin.post("/admin/audit/verify", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "The audit chain is broken" in page.get_data(as_text=True)


def test_the_page_filters_and_shows_entries(signed_in_client, session):
    admin, admin_user = signed_in_client("admin")
    page = admin.get(f"/admin/audit?actor_id={admin_user.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "auth.sign_in" in html and admin_user.email in html
    bad = admin.get("/admin/audit?since=tomorrow")
    assert bad.status_code == 422 and "nz-field-error" in bad.get_data(as_text=True)
