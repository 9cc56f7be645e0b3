"""Issue 11, finding 12: anonymous page views store nothing on the server (the sign-in form's
CSRF token lives in a signed cookie), and expired session rows are purged on a schedule."""
from __future__ import annotations

from sqlalchemy import func, select, text

from server.accounts import sessions
from server.accounts.models import UserSession
from tests import factories
from tests.conftest import csrf_of


def count_rows(session) -> int:
    return session.scalar(select(func.count()).select_from(UserSession))


def test_anonymous_page_views_write_no_session_row(client, session):
    before = count_rows(session)
    for _ in range(5):
        page = client.get("/sign-in")
        assert page.status_code == 200 and 'name="csrf-token"' in page.get_data(as_text=True)
    assert client.get("/api/auth/session").get_json()["csrf_token"]
    assert count_rows(session) == before


def test_many_anonymous_visitors_write_no_session_row(app, session):
    before = count_rows(session)
    for _ in range(5):
        assert app.test_client().get("/sign-in").status_code == 200
    assert count_rows(session) == before


def test_the_sign_in_form_works_with_the_cookie_token(client, session):
    user = factories.user(session, "monitor")
    token = csrf_of(client)
    assert client.get_cookie("session") is None  # nothing server-side yet
    response = client.post("/sign-in", data={"email": user.email,
                                              "password": factories.DEFAULT_PASSWORD,
                                              "csrf_token": token})
    assert response.status_code == 303
    assert client.get_cookie("session") is not None
    assert client.get_cookie(sessions.ANONYMOUS_COOKIE) is None  # dropped once signed in


def test_a_forged_or_foreign_anonymous_cookie_is_no_token(app, session):
    user = factories.user(session, "monitor")
    victim, attacker = app.test_client(), app.test_client()
    attacker_token = csrf_of(attacker)
    csrf_of(victim)
    form = {"email": user.email, "password": factories.DEFAULT_PASSWORD}
    # another browser's token does not match this browser's cookie
    assert victim.post("/sign-in", data=form | {"csrf_token": attacker_token}).status_code == 403
    # a cookie not signed by this server carries no token at all
    forged = app.test_client()
    forged.set_cookie(sessions.ANONYMOUS_COOKIE, '{"csrf": "chosen"}')
    assert forged.post("/sign-in", data=form | {"csrf_token": "chosen"}).status_code == 403


def test_a_flash_after_sign_out_needs_no_row(signed_in_client, session):
    client, user = signed_in_client("monitor")
    response = client.post("/sign-out")
    assert response.status_code == 303
    assert session.scalar(select(func.count()).select_from(UserSession)
                          .where(UserSession.user_id.is_(None))) == 0
    page = client.get("/sign-in", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "You are signed out." in page


def _expired_row(session, n: int) -> str:
    sid = f"{n:x}".rjust(64, "e")
    session.add(UserSession(id=sid, csrf_token="x", data={},
                            expires_at=func.now() - text("interval '1 day'")))
    session.flush()
    return sid


def test_expired_rows_are_purged_by_the_cli(runner, session):
    sids = [_expired_row(session, n) for n in range(3)]
    result = runner.invoke(args=["sessions", "purge"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("3 expired")
    assert session.scalar(select(func.count()).select_from(UserSession)
                          .where(UserSession.id.in_(sids))) == 0


def test_expired_rows_are_purged_by_the_periodic_job(session):
    from server.jobs import housekeeping, registry
    sids = [_expired_row(session, n) for n in (99, 100)]
    assert registry.FUNCTIONS["sessions.purge"] is housekeeping.purge_sessions
    assert housekeeping.purge_sessions(timestamp=0) >= 2
    assert session.scalar(select(func.count()).select_from(UserSession)
                          .where(UserSession.id.in_(sids))) == 0
