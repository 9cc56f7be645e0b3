"""Issue 11, findings 5 and 6: second-factor guesses are limited on their own counter (a correct
password does not reset it), and concurrent wrong passwords are throttled as sequential ones."""
from __future__ import annotations

import pytest
import requests
from sqlalchemy import text

from server.accounts import throttle
from tests import factories
from tests.concurrency import at_once
from tests.conftest import csrf_of, totp_code


def password_step(client, user, password=factories.DEFAULT_PASSWORD):
    return client.post("/sign-in", data={"email": user.email, "password": password,
                                         "csrf_token": csrf_of(client)})


def code_step(client, code):
    return client.post("/sign-in/two-factor", data={"code": code, "csrf_token": csrf_of(client)})


def wrong_code(user) -> str:
    return "000000" if totp_code(user) != "000000" else "111111"


def test_a_correct_password_does_not_reset_the_second_factor_count(client, session):
    """The attack: password, three wrong codes, password again, three more... without end."""
    user = factories.user(session, "coordinator")
    free = throttle.FREE_FAILURES["second_factor"]
    statuses = []
    for _ in range(3):
        assert password_step(client, user).status_code == 303
        statuses += [code_step(client, wrong_code(user)).status_code for _ in range(free)]
    assert statuses[:free + 1] == [422] * (free + 1)
    assert set(statuses[free + 1:]) == {429}
    # locked like a password: even the right code waits for the delay
    assert code_step(client, totp_code(user)).status_code == 429


def test_the_second_factor_count_ends_only_with_a_good_code(client, session):
    user = factories.user(session, "coordinator")
    key = throttle.second_factor_key(user.id)
    password_step(client, user)
    for _ in range(2):
        assert code_step(client, wrong_code(user)).status_code == 422
    password_step(client, user)
    assert session.execute(text("SELECT failures FROM sign_in_throttle WHERE key = :k"),
                           {"k": key}).scalar() == 2
    assert code_step(client, totp_code(user)).status_code == 303
    assert session.execute(text("SELECT count(*) FROM sign_in_throttle WHERE key = :k"),
                           {"k": key}).scalar() == 0


def test_code_guesses_do_not_lock_the_password_and_password_guesses_not_the_code(client,
                                                                                   session):
    user = factories.user(session, "coordinator")
    password_step(client, user)
    for _ in range(throttle.FREE_FAILURES["second_factor"]):
        code_step(client, wrong_code(user))
    account = session.execute(text("SELECT failures FROM sign_in_throttle WHERE key = :k"),
                              {"k": throttle.account_key(user.email)}).scalar()
    assert account is None  # the password was right: its counter holds nothing
    for _ in range(2):
        assert password_step(client, user, "wrong password!").status_code == 422
    assert session.execute(text("SELECT failures FROM sign_in_throttle WHERE key = :k"),
                           {"k": throttle.second_factor_key(user.id)}
                           ).scalar() == throttle.FREE_FAILURES["second_factor"]


def test_a_right_password_from_a_busy_address_does_not_count_against_it(client, session):
    user = factories.user(session, "monitor")
    address = throttle.address_key("127.0.0.1")
    password_step(client, user, "wrong password!")
    assert password_step(client, user).status_code == 303
    assert session.execute(text("SELECT failures FROM sign_in_throttle WHERE key = :k"),
                           {"k": address}).scalar() == 1


def _sign_in_together(base: str, email: str, tries: int) -> list[int]:
    """`tries` browsers post a wrong password at the same moment."""
    clients = [requests.Session() for _ in range(tries)]
    tokens = [c.get(base + "/api/auth/session").json()["csrf_token"] for c in clients]
    return at_once(tries, lambda i: clients[i].post(base + "/sign-in", allow_redirects=False, data={
        "email": email, "password": "wrong password!", "csrf_token": tokens[i]}).status_code)


@pytest.mark.slow
def test_concurrent_wrong_passwords_are_limited_like_sequential_ones(live_server):
    """Five at once: four are evaluated (as when sent one by one), the fifth is refused."""
    with live_server.app_context():
        from server.core.db import db
        user = factories.user(db.session, "monitor")
        db.session.commit()
        email = user.email
    for _ in range(3):  # on today's code all five got through, every time
        statuses = _sign_in_together(live_server.config["LIVE_URL"], email,
                                     throttle.FREE_FAILURES["account"] + 2)
        assert sorted(statuses) == [422] * (throttle.FREE_FAILURES["account"] + 1) + [429]
        with live_server.app_context():
            from server.core.db import db
            db.session.execute(text("DELETE FROM sign_in_throttle"))
            db.session.commit()
