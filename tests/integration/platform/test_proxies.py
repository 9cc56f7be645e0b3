"""Behind a reverse proxy: the client's address and the URL it used are read from the proxy's
X-Forwarded-* headers only when TRUSTED_PROXIES says a proxy is there; BASE_URL, when set,
is what every absolute link starts with (ODK Collect's form downloads, next pages)."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from server import create_app
from server.core.db import db
from tests import factories
from tests.conftest import login

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "nezarat.example.org"}


@pytest.fixture(scope="module")
def proxied_app(app_config):
    return create_app({**app_config, "TRUSTED_PROXIES": 1})


@pytest.fixture()
def proxied_client(proxied_app, connection):
    db.bind_sessions_to(proxied_app, connection)
    return proxied_app.test_client()


def _signed_in_from(client, session, headers) -> str:
    user = factories.user(session, role="coordinator")
    client.environ_base.update({f"HTTP_{k.upper().replace('-', '_')}": v
                                for k, v in headers.items()})
    login(client, user)
    return session.execute(text("SELECT address FROM user_sessions WHERE user_id = :u"),
                           {"u": user.id}).scalar_one()


def _form_urls(client, session, headers) -> list[str]:
    monitor = factories.user(session, role="monitor")
    token = factories.device_token(session, monitor)
    body = client.get(f"/key/{token}/formList", headers=headers).get_data(as_text=True)
    return [part.split("<", 1)[0] for part in body.split("Url>")[1::2]]


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(client, session):
    assert _signed_in_from(client, session, FORWARDED) == "127.0.0.1"
    urls = _form_urls(client, session, FORWARDED)
    assert urls and all(url.startswith("http://localhost/key/") for url in urls)


def test_behind_a_trusted_proxy_address_and_url_come_from_it(proxied_client, session):
    assert _signed_in_from(proxied_client, session, FORWARDED) == "203.0.113.9"
    urls = _form_urls(proxied_client, session, FORWARDED)
    assert urls and all(url.startswith("https://nezarat.example.org/key/") for url in urls)


def test_base_url_starts_every_absolute_link(app, client, session, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://monitor.example.org/")
    urls = _form_urls(client, session, {})
    assert urls and all(url.startswith("https://monitor.example.org/key/") for url in urls)
    factories.facility(session, name="A"), factories.facility(session, name="B")
    key = factories.partner_key(session, scopes=("facilities:read",))
    body = client.get("/api/facilities?limit=1", headers=factories.bearer(key)).get_json()
    [next_link] = [link["href"] for link in body["links"] if link["rel"] == "next"]
    assert next_link.startswith("https://monitor.example.org/api/facilities?")
