"""A race on sealing-key copies (second adversarial pass): a key holder's browser sends "add
this colleague as a holder" several times at once (a double click, a retry). One copy is
made; the others are told it exists (409). On the code before, the unique index caught the
second insert and the caller got a 500."""
from __future__ import annotations

import pytest
import requests

from tests import case_crypto as cc
from tests import factories
from tests.concurrency import at_once

PASSPHRASE = "correct horse battery staple"


@pytest.mark.slow
def test_adding_the_same_holder_at_once_makes_one_copy_and_no_500(live_server):
    from server.core.db import db
    key = cc.new_key()
    with live_server.app_context():
        org = factories.organisation(db.session)
        holder = factories.user(db.session, "coordinator", org)
        colleague = factories.user(db.session, "coordinator", org)
        cookie, csrf = factories.browser_session(db.session, holder)
        db.session.commit()
        colleague_id = str(colleague.id)
    base = live_server.config["LIVE_URL"]
    browser = requests.Session()
    browser.cookies.set("session", cookie)
    browser.headers["X-CSRF-Token"] = csrf
    made = browser.post(base + "/api/cases/keys", json={
        "public_key": key.public_b64, "wrapped": cc.wrap(key, PASSPHRASE),
        "recovery_wrapped": cc.wrap(key, "RECOVERYCODE")})
    assert made.status_code == 201, made.text
    key_id = made.json()["id"]
    copy = cc.wrap(key, "the colleague's passphrase")
    tries = 6
    for _ in range(3):
        statuses = at_once(tries, lambda i: browser.post(
            base + f"/api/cases/keys/{key_id}/holders",
            json={"user_id": colleague_id, "wrapped": copy}).status_code)
        assert sorted(statuses) == [201] + [409] * (tries - 1), statuses
        with live_server.app_context():
            from sqlalchemy import text
            db.session.execute(text("DELETE FROM sealing_key_copies WHERE holder_id = :u"),
                               {"u": colleague_id})
            db.session.commit()
