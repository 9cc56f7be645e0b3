"""CSRF: every state-changing request a browser could send on its own needs the session's token
(form field or X-CSRF-Token header); requests carrying a bearer/basic/path token need none."""
from __future__ import annotations

import pytest
from flask import Blueprint, jsonify

from server import create_app
from server.core import access
from server.core.db import db
from tests import factories
from tests.conftest import csrf_of

probe = Blueprint("csrf_probe", __name__)


@probe.route("/probe/write", methods=["POST"])
@access.access(access.signed_in | access.device() | access.partner("exports"))
def write():
    return jsonify(written=True)


@pytest.fixture()
def probe_app(app_config, connection):
    """The real app plus one state-changing route any kind of caller may use."""
    probe_app = create_app(dict(app_config))
    probe_app.register_blueprint(probe)
    db.bind_sessions_to(probe_app, connection)
    return probe_app


def browser(probe_app, session, role="monitor"):
    client = probe_app.test_client()
    cookie, csrf = factories.browser_session(session, factories.user(session, role))
    client.set_cookie("session", cookie)
    return client, csrf


def test_a_cookie_request_without_the_token_is_refused(probe_app, session):
    client, csrf = browser(probe_app, session)
    missing = client.post("/probe/write", json={})
    assert missing.status_code == 403
    assert missing.mimetype == "application/problem+json"
    assert missing.get_json()["type"].endswith("/csrf")
    wrong = client.post("/probe/write", json={}, headers={"X-CSRF-Token": csrf[:-2] + "xx"})
    assert wrong.status_code == 403
    assert client.post("/probe/write", json={}, headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.post("/probe/write", data={"csrf_token": csrf}).status_code == 200


def test_the_token_of_another_session_does_not_work(probe_app, session):
    client, _ = browser(probe_app, session)
    _, others = browser(probe_app, session)
    assert client.post("/probe/write", json={}, headers={"X-CSRF-Token": others}
                       ).status_code == 403


def test_token_authenticated_requests_need_no_csrf_token(probe_app, session):
    monitor = factories.user(session)
    for raw in (factories.device_token(session, monitor),
                factories.partner_key(session, scopes=("exports",))):
        client = probe_app.test_client()
        client.set_cookie("session", "a stale cookie does not matter")
        assert client.post("/probe/write", json={}, headers=factories.bearer(raw)
                           ).status_code == 200


def test_the_sign_in_form_needs_the_token_too(client, session):
    """Else another site could sign a victim's browser into an account it controls."""
    user = factories.user(session)
    form = {"email": user.email, "password": factories.DEFAULT_PASSWORD}
    refused = client.post("/sign-in", data=form)
    assert refused.status_code == 403
    assert client.get("/api/auth/session").get_json()["signed_in"] is False
    assert client.post("/sign-in", data=form | {"csrf_token": csrf_of(client)}).status_code == 303


def test_sign_out_and_admin_forms_need_the_token(signed_in_client):
    admin, _ = signed_in_client("admin")
    del admin.environ_base["HTTP_X_CSRF_TOKEN"]  # a forged cross-site form carries none
    assert admin.post("/admin/organisations", data={"name": "Forged"}).status_code == 403
    assert admin.post("/sign-out").status_code == 403
    assert admin.get("/api/users").status_code == 200  # still signed in
    page = admin.post("/sign-out", headers={"Accept": "text/html"})
    assert page.status_code == 403 and "reload the page" in page.get_data(as_text=True)


def test_safe_methods_need_no_token(signed_in_client):
    client, _ = signed_in_client("coordinator")
    del client.environ_base["HTTP_X_CSRF_TOKEN"]
    assert client.get("/api/organisations").status_code == 200
