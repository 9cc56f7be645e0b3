"""Browser sign-in: password (argon2id), server-side session cookie, sign-out, generic errors."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text

from server import create_app
from server.accounts import csrf, passwords
from server.accounts.models import UserSession
from server.accounts.tokens import digest
from server.core.audit import AuditEntry
from tests import factories
from tests.conftest import csrf_of, login, totp_code

GENERIC = "Email or password is wrong."


def sign_in(client, email, password):
    return client.post("/sign-in", data={"email": email, "password": password,
                                         "csrf_token": csrf_of(client)})


def audit_actions(session, prefix="auth."):
    return session.scalars(select(AuditEntry.action).where(AuditEntry.action.like(prefix + "%"))
                           .order_by(AuditEntry.seq)).all()


def test_password_is_stored_as_argon2id(session):
    user = factories.user(session)
    assert user.password_hash.startswith("$argon2id$")
    assert factories.DEFAULT_PASSWORD not in user.password_hash


def test_a_deployed_app_hashes_with_the_rfc_9106_profile(app_config):
    """The suite signs in with argon2-cffi's test profile; a deployment never can."""
    deployed = create_app({key: value for key, value in app_config.items()
                           if key != "PASSWORD_HASH_PROFILE"})
    with deployed.app_context():
        stored = passwords.hash_password("a deployment's passphrase")
        assert passwords.verify(stored, "a deployment's passphrase")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    pretending = create_app({**app_config, "TESTING": False})
    with pretending.app_context(), pytest.raises(RuntimeError, match="test suites only"):
        passwords.hash_password("a deployment's passphrase")


def test_monitor_signs_in_and_the_session_is_server_side(client, session):
    user = factories.user(session, "monitor")
    response = sign_in(client, user.email.upper(), factories.DEFAULT_PASSWORD)
    assert response.status_code == 303
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    row = session.get(UserSession, digest(cookie.value))
    assert row.user_id == user.id and row.authenticated_at is not None
    body = client.get("/api/auth/session").get_json()
    assert body["signed_in"] is True and body["user"]["email"] == user.email
    assert audit_actions(session)[-1] == "auth.sign_in"
    session.refresh(user)
    assert user.last_sign_in_at is not None


def test_cookie_is_secure_over_https(app, session):
    user = factories.user(session, "monitor")
    client = app.test_client()
    before = client.get("/api/auth/session", base_url="https://localhost")
    assert "Secure" in before.headers["Set-Cookie"]  # the anonymous visitor's signed cookie
    response = client.post("/sign-in", base_url="https://localhost", data={
        "email": user.email, "password": factories.DEFAULT_PASSWORD,
        "csrf_token": before.get_json()["csrf_token"]})
    assert response.status_code == 303
    cookie, = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "Secure" in cookie


def test_signing_in_starts_a_new_session_id(client, session):
    """No row before the password (anonymous visitors have none); the row of the password step
    is replaced by a new one when the second factor is given (no session fixation)."""
    user = factories.user(session, "coordinator")
    csrf_of(client)
    assert client.get_cookie("session") is None
    sign_in(client, user.email, factories.DEFAULT_PASSWORD)
    before = client.get_cookie("session").value
    client.post("/sign-in/two-factor", data={"code": totp_code(user),
                                             "csrf_token": csrf_of(client)})
    after = client.get_cookie("session").value
    assert before != after
    assert session.get(UserSession, digest(before)) is None  # the pending row is gone


def test_unknown_account_and_wrong_password_get_the_same_answer(client, session):
    user = factories.user(session, "monitor")
    unknown = sign_in(client, "nobody@example.org", "whatever-password")
    wrong = sign_in(client, user.email, "not-the-password")
    assert unknown.status_code == wrong.status_code == 422
    assert GENERIC in unknown.get_data(as_text=True) and GENERIC in wrong.get_data(as_text=True)
    assert "nobody@example.org" not in wrong.get_data(as_text=True)
    reasons = session.scalars(select(AuditEntry.details["reason"].astext).where(
        AuditEntry.action == "auth.sign_in_failed").order_by(AuditEntry.seq)).all()
    assert reasons == ["unknown account", "wrong password"]
    assert client.get("/api/auth/session").get_json()["signed_in"] is False


def test_deactivated_and_passwordless_accounts_get_the_generic_answer(client, session):
    inactive = factories.user(session, "monitor", active=False)
    no_password = factories.user(session, "monitor", password=None)
    for email in (inactive.email, no_password.email):
        response = sign_in(client, email, factories.DEFAULT_PASSWORD)
        assert response.status_code == 422 and GENERIC in response.get_data(as_text=True)
    assert client.get("/api/auth/session").get_json()["signed_in"] is False


def test_sign_out_ends_the_session(client, session):
    user = factories.user(session, "monitor")
    login(client, user)
    cookie = client.get_cookie("session").value
    assert client.get("/account").status_code == 200
    response = client.post("/sign-out", data={"csrf_token": csrf_of(client)})
    assert response.status_code == 303
    assert session.get(UserSession, digest(cookie)) is None
    assert client.get("/account").status_code == 401
    assert audit_actions(session)[-1] == "auth.sign_out"


def test_an_expired_session_is_anonymous(client, session):
    user = factories.user(session, "monitor")
    login(client, user)
    session.execute(text("UPDATE user_sessions SET expires_at = now() - interval '1 second' "
                         "WHERE user_id = :u"), {"u": user.id})
    response = client.get("/api/organisations")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_a_deactivated_user_loses_the_session_at_once(client, session):
    user = factories.user(session, "monitor")
    login(client, user)
    user.active = False
    session.flush()
    assert client.get("/api/organisations").status_code == 401


def test_a_browser_asking_for_a_page_is_sent_to_sign_in(client):
    response = client.get("/account", headers={"Accept": "text/html"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=/account")


def test_sign_in_only_redirects_to_this_site(client, session):
    user = factories.user(session, "monitor")
    response = client.post("/sign-in", data={
        "email": user.email, "password": factories.DEFAULT_PASSWORD,
        "csrf_token": csrf_of(client), "next": "//evil.example/steal"})
    assert response.headers["Location"] == "/account"  # the monitor's home, not the other site


def test_pages_are_not_cached_and_carry_the_csrf_meta(client, session):
    page = client.get("/sign-in")
    assert page.headers["Cache-Control"] == "no-store"
    # The session's token, masked anew in each response (BREACH): the same token unmasked.
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.get_data(as_text=True))
    assert meta and meta.group(1) != csrf_of(client)
    assert csrf.unmask(meta.group(1)) == csrf.unmask(csrf_of(client)) is not None
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_old_sessions_are_purged_on_sign_in(client, session):
    user = factories.user(session, "monitor")
    session.add(UserSession(id="f" * 64, csrf_token="x", data={},
                            expires_at=func.now() - text("interval '1 day'")))
    session.flush()
    sign_in(client, user.email, factories.DEFAULT_PASSWORD)
    assert session.scalar(select(func.count()).select_from(UserSession)
                          .where(UserSession.id == "f" * 64)) == 0


def test_a_password_typed_as_email_is_not_kept_in_the_audit_log(client, session):
    sign_in(client, "my secret passphrase", "whatever")
    kept = session.scalar(select(AuditEntry.details["email"].astext).where(
        AuditEntry.action == "auth.sign_in_failed"))
    assert kept.startswith("sha256:") and "passphrase" not in kept
