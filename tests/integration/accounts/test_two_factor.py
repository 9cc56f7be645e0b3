"""Two-factor sign-in (TOTP, recovery codes) for admins and coordinators, and its enrolment."""
from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from server.accounts import totp
from server.accounts.models import RecoveryCode, User
from server.core.audit import AuditEntry
from tests import factories
from tests.conftest import csrf_of, login, totp_code


def password_step(client, user):
    return client.post("/sign-in", data={"email": user.email,
                                         "password": factories.DEFAULT_PASSWORD,
                                         "csrf_token": csrf_of(client)})


def code_step(client, code):
    return client.post("/sign-in/two-factor", data={"code": code, "csrf_token": csrf_of(client)})


def last_action(session):
    return session.scalar(select(AuditEntry.action).order_by(AuditEntry.seq.desc()).limit(1))


def test_coordinator_has_no_session_until_the_second_factor(client, session):
    user = factories.user(session, "coordinator")
    response = password_step(client, user)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/sign-in/two-factor")
    assert client.get("/api/organisations").status_code == 401
    state = client.get("/api/auth/session").get_json()
    assert state["signed_in"] is False and state["pending_second_factor"] is True
    assert code_step(client, totp_code(user)).status_code == 303
    assert client.get("/api/organisations").status_code == 200
    details = session.scalar(select(AuditEntry.details).where(AuditEntry.action == "auth.sign_in"))
    assert details == {"second_factor": "totp"}


def test_a_wrong_code_is_refused_and_audited(client, session):
    user = factories.user(session, "admin")
    password_step(client, user)
    response = code_step(client, "000000" if totp_code(user) != "000000" else "111111")
    assert response.status_code == 422
    assert "That code is not valid." in response.get_data(as_text=True)
    assert last_action(session) == "auth.second_factor_failed"
    assert client.get("/api/users").status_code == 401


def test_a_code_cannot_be_used_twice(app, session):
    user = factories.user(session, "coordinator")
    code = totp_code(user)
    first, second = app.test_client(), app.test_client()
    password_step(first, user)
    assert code_step(first, code).status_code == 303
    password_step(second, user)
    assert code_step(second, code).status_code == 422


def test_a_recovery_code_works_once(app, session):
    user = factories.user(session, "coordinator")
    codes = totp.new_recovery_codes(session, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = session.scalars(select(RecoveryCode.code_hash)).all()
    assert not any(code.replace("-", "") in stored for code in codes)  # only hashes are kept
    first, second = app.test_client(), app.test_client()
    password_step(first, user)
    assert code_step(first, codes[3].upper()).status_code == 303
    details = session.scalar(select(AuditEntry.details).where(AuditEntry.action == "auth.sign_in")
                             .order_by(AuditEntry.seq.desc()).limit(1))
    assert details == {"second_factor": "recovery_code"}
    password_step(second, user)
    assert code_step(second, codes[3]).status_code == 422
    assert totp.recovery_codes_left(session, user.id) == 9


def test_first_sign_in_forces_enrolment(client, session):
    user = factories.user(session, "coordinator", totp=False)
    response = password_step(client, user)
    assert response.headers["Location"].startswith("/account/two-factor")
    assert client.get("/api/organisations").status_code == 401  # no full session yet
    page = client.get("/account/two-factor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'src="data:image/svg+xml;base64,' in html
    secret = re.search(r'<code class="nz-secret-value" dir="ltr">([A-Z2-7]+)</code>', html)[1]

    wrong = client.post("/account/two-factor", data={"code": "12", "csrf_token": csrf_of(client)})
    assert wrong.status_code == 422

    done = client.post("/account/two-factor", data={
        "code": pyotp.TOTP(secret).now(), "csrf_token": csrf_of(client)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]{19})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert client.get("/api/organisations").status_code == 200
    session.refresh(user)
    assert user.totp_secret == secret and user.two_factor_enabled
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions[-2:] == ["auth.totp_enrolled", "auth.sign_in"]


def test_enrolment_is_not_possible_twice(signed_in_client, session):
    client, user = signed_in_client("admin")
    page = client.get("/account/two-factor")
    assert "Two-factor sign-in is on" in page.get_data(as_text=True)
    secret = user.totp_secret
    response = client.post("/account/two-factor", data={"code": "123456"})
    assert response.status_code == 200  # the status page: nothing was changed
    session.refresh(user)
    assert user.totp_secret == secret


def test_new_recovery_codes_replace_the_old(signed_in_client, session):
    client, user = signed_in_client("coordinator")
    old = totp.new_recovery_codes(session, user)
    response = client.post("/account/two-factor/recovery-codes")
    assert response.status_code == 200
    assert totp.recovery_codes_left(session, user.id) == 10
    assert old[0] not in response.get_data(as_text=True)
    assert last_action(session) == "auth.recovery_codes_renewed"


def test_admin_resets_two_factor_and_the_user_enrols_again(signed_in_client, session, app):
    admin_client, _ = signed_in_client("admin")
    user = factories.user(session, "coordinator")
    user_client = login(app.test_client(), user)
    response = admin_client.delete(f"/api/users/{user.id}/two-factor")
    assert response.status_code == 200 and response.get_json()["two_factor_enabled"] is False
    assert user_client.get("/api/organisations").status_code == 401  # signed out
    session.expire_all()
    assert session.get(User, user.id).totp_secret is None
    assert last_action(session) == "auth.totp_reset"
    again = password_step(app.test_client(), user)
    assert again.headers["Location"].startswith("/account/two-factor")


def test_a_monitor_who_enrolled_is_asked_for_the_code(client, session):
    user = factories.user(session, "monitor", totp=True)
    assert password_step(client, user).headers["Location"].startswith("/sign-in/two-factor")


def test_a_monitor_promoted_to_coordinator_must_enrol(client, session):
    user = factories.user(session, "monitor")
    login(client, user)
    assert client.get("/api/organisations").status_code == 200
    user.role = "coordinator"
    session.flush()
    assert client.get("/api/organisations").status_code == 401
    page = client.get("/sign-in", headers={"Accept": "text/html"})
    assert page.headers["Location"].startswith("/sign-in/two-factor")
    assert client.get("/sign-in/two-factor").headers["Location"].startswith("/account/two-factor")
