"""Throttled sign-in failures; password change; admin-issued one-time reset links."""
from __future__ import annotations

import re

from sqlalchemy import select, text

from server.accounts import throttle
from server.accounts.models import UserSession
from server.accounts.tokens import digest
from server.core.audit import AuditEntry
from tests import factories
from tests.conftest import csrf_of, login, totp_code

NEW_PASSWORD = "a brand new passphrase"


def attempt(client, email, password, address="203.0.113.7"):
    environ = {"REMOTE_ADDR": address}
    csrf = client.get("/api/auth/session", environ_base=environ).get_json()["csrf_token"]
    return client.post("/sign-in", environ_base=environ,
                       data={"email": email, "password": password, "csrf_token": csrf})


def test_failures_on_one_account_slow_it_down(client, session):
    user = factories.user(session, "monitor")
    free = throttle.FREE_FAILURES["account"]
    for _ in range(free + 1):
        assert attempt(client, user.email, "wrong password!").status_code == 422
    blocked = attempt(client, user.email, factories.DEFAULT_PASSWORD)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    assert "Too many failed attempts" in blocked.get_data(as_text=True)
    # the same answer for an address that has no account: nothing tells them apart
    for _ in range(free + 1):
        attempt(client, "nobody@example.org", "wrong password!")
    assert attempt(client, "nobody@example.org", "wrong password!").status_code == 429
    actions = session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("auth.sign_in%"))).all()
    assert actions.count("auth.sign_in_failed") == 2 * (free + 1)
    assert actions.count("auth.sign_in_throttled") == 2


def test_the_delay_grows_and_ends(client, session):
    user = factories.user(session, "monitor")
    key = throttle.account_key(user.email)
    delays = []
    for _ in range(throttle.FREE_FAILURES["account"] + 3):
        attempt(client, user.email, "wrong password!")
        delays.append(session.execute(text(
            "SELECT extract(epoch FROM blocked_until - last_failure_at) FROM sign_in_throttle "
            "WHERE key = :k"), {"k": key}).scalar())
        session.execute(text("UPDATE sign_in_throttle SET blocked_until = NULL "
                             "WHERE key = :k"), {"k": key})  # wait out the delay
    assert delays[:3] == [None, None, None]
    assert [round(d) for d in delays[3:]] == [5, 10, 20]
    assert attempt(client, user.email, factories.DEFAULT_PASSWORD).status_code == 303
    assert session.execute(text("SELECT count(*) FROM sign_in_throttle WHERE key = :k"),
                           {"k": key}).scalar() == 0  # success forgets the account's failures


def test_failures_from_one_address_slow_it_down(client, session):
    user = factories.user(session, "monitor")
    for n in range(throttle.FREE_FAILURES["address"] + 1):
        attempt(client, f"guess{n}@example.org", "wrong password!", address="198.51.100.9")
    assert attempt(client, user.email, factories.DEFAULT_PASSWORD,
                   address="198.51.100.9").status_code == 429
    assert attempt(client, user.email, factories.DEFAULT_PASSWORD,
                   address="198.51.100.10").status_code == 303


def test_second_factor_guesses_are_throttled(client, session):
    user = factories.user(session, "coordinator")
    csrf = csrf_of(client)
    client.post("/sign-in", data={"email": user.email, "password": factories.DEFAULT_PASSWORD,
                                  "csrf_token": csrf})
    wrong = "000000" if totp_code(user) != "000000" else "111111"
    statuses = [client.post("/sign-in/two-factor", data={
        "code": wrong, "csrf_token": csrf_of(client)}).status_code for _ in range(5)]
    assert statuses[:4] == [422] * 4 and statuses[4] == 429
    assert client.post("/sign-in/two-factor", data={
        "code": totp_code(user), "csrf_token": csrf_of(client)}).status_code == 429


def test_password_change(app, session):
    user = factories.user(session, "monitor")
    client, other = login(app.test_client(), user), login(app.test_client(), user)
    wrong = client.post("/account/password", data={
        "current_password": "not it at all", "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD})
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    short = client.post("/account/password", data={
        "current_password": factories.DEFAULT_PASSWORD, "new_password": "short",
        "confirm_password": "short"})
    assert short.status_code == 422 and "at least 12" in short.get_data(as_text=True)
    done = client.post("/account/password", data={
        "current_password": factories.DEFAULT_PASSWORD, "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD})
    assert done.status_code == 303
    assert client.get("/api/organisations").status_code == 200  # this session stays
    assert other.get("/api/organisations").status_code == 401  # the others are signed out
    assert login(app.test_client(), user, NEW_PASSWORD)
    assert "auth.password_changed" in session.scalars(select(AuditEntry.action)).all()


def test_reset_link_sets_a_password_once(signed_in_client, app, session):
    admin, _ = signed_in_client("admin")
    user = factories.user(session, "monitor", password=None)
    old_session = factories.browser_session(session, user)
    response = admin.post(f"/api/users/{user.id}/password-link")
    assert response.status_code == 201
    link = response.get_json()["password_link"]
    path = "/" + link.split("/", 3)[3]
    assert re.fullmatch(r"/reset/nzr_[\w-]{43}", path)

    browser = app.test_client()
    form = browser.get(path)
    assert form.status_code == 200 and user.email in form.get_data(as_text=True)
    mismatch = browser.post(path, data={"new_password": NEW_PASSWORD, "confirm_password": "x",
                                        "csrf_token": csrf_of(browser)})
    assert mismatch.status_code == 422
    done = browser.post(path, data={"new_password": NEW_PASSWORD,
                                    "confirm_password": NEW_PASSWORD,
                                    "csrf_token": csrf_of(browser)})
    assert done.status_code == 303
    assert browser.get(path).status_code == 404  # used up
    assert session.scalar(select(UserSession.id).where(
        UserSession.id == digest(old_session[0]))) is None
    assert login(app.test_client(), user, NEW_PASSWORD)
    actions = session.scalars(select(AuditEntry.action)).all()
    assert "auth.reset_link_issued" in actions and "auth.password_reset" in actions


def test_a_new_reset_link_replaces_the_old_one(signed_in_client, session):
    admin, _ = signed_in_client("admin")
    user = factories.user(session, "monitor")
    first = admin.post(f"/api/users/{user.id}/password-link").get_json()["password_link"]
    admin.post(f"/api/users/{user.id}/password-link")
    assert admin.get("/" + first.split("/", 3)[3]).status_code == 404


def test_an_unknown_reset_link_is_not_found(client):
    response = client.get("/reset/nzr_made-up", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)
