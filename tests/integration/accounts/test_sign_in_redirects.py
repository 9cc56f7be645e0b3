"""Issue 11, finding 4: signing in through `/sign-in?next=...` never leaves this site, and a
`next` holding CR/LF is refused quietly (never a 500)."""
from __future__ import annotations

import pytest

from tests import factories
from tests.conftest import csrf_of, totp_code

ATTACKS = ["/\t/evil.example", "/%09/evil.example", "//evil.example", "/\\evil.example",
           "https://evil.example/", "/%2F%2Fevil.example", "/ok\r\nSet-Cookie: a=b", "/%0d%0a/x"]


@pytest.mark.parametrize("target", ATTACKS)
def test_signing_in_with_a_hostile_next_lands_on_this_site(client, session, target):
    user = factories.user(session, "monitor")
    page = client.get("/sign-in", query_string={"next": target})
    if any(ord(c) < 32 for c in target):  # the input guard refuses it in a query
        assert page.status_code == 400 and "Location" not in page.headers
    else:
        assert page.status_code == 200
        assert 'name="next"' not in page.get_data(as_text=True)  # not carried into the form
    response = client.post("/sign-in", data={
        "email": user.email, "password": factories.DEFAULT_PASSWORD,
        "csrf_token": csrf_of(client), "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize("target", ATTACKS)
def test_the_second_factor_step_keeps_no_hostile_next(client, session, target):
    user = factories.user(session, "coordinator")
    first = client.post("/sign-in", data={"email": user.email,
                                          "password": factories.DEFAULT_PASSWORD,
                                          "csrf_token": csrf_of(client), "next": target})
    assert first.status_code == 303
    assert first.headers["Location"] == "/sign-in/two-factor"
    second = client.post("/sign-in/two-factor", data={
        "code": totp_code(user), "csrf_token": csrf_of(client), "next": target})
    assert second.status_code == 303
    assert not second.headers["Location"].startswith("//")
    assert "evil" not in second.headers["Location"]


def test_a_same_site_next_is_followed(client, session):
    user = factories.user(session, "monitor")
    response = client.post("/sign-in", data={
        "email": user.email, "password": factories.DEFAULT_PASSWORD,
        "csrf_token": csrf_of(client), "next": "/account/password"})
    assert response.headers["Location"] == "/account/password"
