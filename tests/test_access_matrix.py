"""The access matrix, generated from the route registry: every route and method of the app,
called by every kind of caller, answers as its declared rule says.

Each caller holds a real credential (browser session cookie, device token, partner key). For
every request the test checks who the gate saw (the authenticators), what it decided (the rule),
and the answer: denied anonymous callers get 401, everyone else 403, as problem+json (or the
door's own error format, such as OpenRosa XML). Whatever an allowed request gets from its view
(200, 404 for a made-up id, 422 for an empty body ...), it is never a 500. A new route is in the
matrix by existing; a route without a rule stops the app from starting.
"""
from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass, field

import pytest
from flask import Blueprint, url_for
from werkzeug.routing import IntegerConverter, UUIDConverter

import server
from server import create_app
from server.accounts import credentials
from server.core import access
from server.core.access import ANONYMOUS, Principal
from tests import factories
from tests.conftest import TEST_DATABASE_URL

SKIPPED_METHODS = {"HEAD", "OPTIONS"}
BODY_METHODS = {"POST", "PUT", "PATCH"}
INVALID_PATH_TOKEN = "nzd_not-a-real-token"
CALLERS = ("anonymous", "monitor", "coordinator", "coordinator_other_org", "admin", "device",
           "partner_with_scopes", "partner_without_scope", "partner_person")


def _routes():
    """(endpoint, method, rule) of the whole app, built the way production builds it."""
    app = create_app({"DATABASE_URL": TEST_DATABASE_URL, "SECRET_KEY": "matrix"})
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - SKIPPED_METHODS):
            found.append(pytest.param(rule.endpoint, method, rule.rule,
                                      id=f"{method} {rule.rule}"))
    return found


ROUTES = _routes()


@dataclass
class Caller:
    principal: Principal
    client: object
    headers: dict = field(default_factory=dict)
    path_token: str = INVALID_PATH_TOKEN


def _browser(app, session, user, role: str | None = None) -> Caller:
    cookie, csrf = factories.browser_session(session, user)
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    principal = Principal(kind="user", user_id=user.id, organisation_id=user.organisation_id,
                          role=role or user.role)
    return Caller(principal, client, {"X-CSRF-Token": csrf})


@pytest.fixture()
def callers(app, session) -> dict[str, Caller]:
    own, other = factories.organisation(session), factories.organisation(session)
    monitor = factories.user(session, "monitor", own)
    found = {"monitor": _browser(app, session, monitor),
             "coordinator": _browser(app, session, factories.user(session, "coordinator", own)),
             "coordinator_other_org": _browser(app, session,
                                               factories.user(session, "coordinator", other)),
             "admin": _browser(app, session, factories.user(session, "admin", own))}
    anonymous = app.test_client()
    csrf = anonymous.get("/api/auth/session").get_json()["csrf_token"]
    found["anonymous"] = Caller(ANONYMOUS, anonymous, {"X-CSRF-Token": csrf})
    token = factories.device_token(session, monitor)
    found["device"] = Caller(
        Principal(kind="device", user_id=monitor.id, organisation_id=own.id, role="monitor"),
        app.test_client(), factories.bearer(token), token)
    partner = factories.organisation(session, kind="partner")
    for name, scopes in (("partner_with_scopes", credentials.SCOPES),
                         ("partner_without_scope", ("unrelated:scope",))):
        key = factories.partner_key(session, partner, scopes)
        found[name] = Caller(Principal(kind="partner", organisation_id=partner.id,
                                       scopes=frozenset(scopes)),
                             app.test_client(), factories.bearer(key))
    # A person of the partner organisation (issue 19): stored as a coordinator, seen as a partner.
    found["partner_person"] = _browser(app, session,
                                       factories.user(session, "coordinator", partner),
                                       role=access.PARTNER_ROLE)
    assert set(found) == set(CALLERS)
    return found


def _url(app, endpoint: str, caller: Caller) -> str:
    rule = next(r for r in app.url_map.iter_rules(endpoint))
    values = {}
    for name, converter in rule._converters.items():
        if name == "token":
            values[name] = caller.path_token
        elif isinstance(converter, UUIDConverter):
            values[name] = uuid.uuid4()
        elif isinstance(converter, IntegerConverter):
            values[name] = 1
        else:
            values[name] = "x"
    with app.test_request_context():
        return url_for(endpoint, **values)


def _door_has_own_errors(app, endpoint: str) -> bool:
    blueprint = endpoint.rpartition(".")[0]
    return blueprint in app.extensions.get("nezarat.error_formatters", {})


@pytest.fixture()
def gate(monkeypatch) -> list:
    """What the access gate decided, and for whom, on each request."""
    decisions, enforce = [], access.enforce

    def watched(rule, principal):
        try:
            enforce(rule, principal)
        except Exception:
            decisions.append((principal, False))
            raise
        decisions.append((principal, True))
    monkeypatch.setattr(access, "enforce", watched)
    return decisions


def _same_caller(seen: Principal, expected: Principal) -> bool:
    keys = ("kind", "role", "user_id", "organisation_id", "scopes")
    return all(getattr(seen, k) == getattr(expected, k) for k in keys)


@pytest.mark.parametrize("endpoint, method, rule_text", ROUTES)
def test_route_answers_as_its_rule_declares(app, callers, gate, endpoint, method, rule_text):
    rule = access.route_rules(app)[endpoint]
    assert rule is not None, f"{endpoint} has no access rule"
    token_in_path = rule_text.startswith("/key/<")
    for name, caller in callers.items():
        where = f"{method} {rule_text} as {name} (rule: {rule.name})"
        gate.clear()
        response = caller.client.open(
            _url(app, endpoint, caller), method=method, headers=caller.headers,
            json={} if method in BODY_METHODS else None)
        assert response.status_code < 500, f"{where}: {response.status_code}"
        if token_in_path and name != "device":
            # an invalid token in the path is refused before any rule is looked at
            assert gate == [] and response.status_code == 401, where
            continue
        assert len(gate) == 1, f"{where}: the gate decided {len(gate)} times"
        seen, allowed = gate[0]
        expected_caller = ANONYMOUS if endpoint == "static" else caller.principal
        assert _same_caller(seen, expected_caller), f"{where}: authenticated as {seen}"
        assert allowed == rule.allows(caller.principal), where
        if allowed:
            continue
        expected = 401 if name == "anonymous" else 403
        assert response.status_code == expected, \
            f"{where}: expected {expected}, got {response.status_code}"
        if not _door_has_own_errors(app, endpoint):
            assert response.mimetype == "application/problem+json", where
            assert response.get_json()["status"] == expected


def test_the_matrix_covers_every_route(app):
    covered = {param.values[0] for param in ROUTES}
    assert covered == set(app.view_functions)
    assert all(rule is not None for rule in access.route_rules(app).values())


unruled = Blueprint("unruled", __name__)


@unruled.route("/forgotten")
def forgotten_view():
    return "no rule declared"


def test_a_route_without_a_rule_stops_the_app(monkeypatch):
    monkeypatch.setattr(server, "ROUTE_MODULES", server.ROUTE_MODULES + ["tests.unruled_routes"])
    monkeypatch.setitem(sys.modules, "tests.unruled_routes",
                        type("Module", (), {"blp": unruled}))
    with pytest.raises(RuntimeError, match="unruled.forgotten_view"):
        create_app({"DATABASE_URL": TEST_DATABASE_URL, "SECRET_KEY": "matrix"})
