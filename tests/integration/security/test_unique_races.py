"""Races on what must be unique (second adversarial pass): an admin's double click, a retry,
or two admins at once, create the same account (email), the same organisation (name), or set a
partner's sharing policy together. Each service checks first and inserts after; the request
that lost the race hit the unique index and answered 500. The loser now gets 409 problem+json
(one handler for every unique violation, core/errors.py) and nothing is written twice."""
from __future__ import annotations

import uuid

import pytest
import requests
from sqlalchemy import text

from tests import factories
from tests.concurrency import at_once

TRIES = 6


def _together(call) -> list[int]:
    return at_once(TRIES, call)


def _admin(live_server):
    from server.core.db import db
    with live_server.app_context():
        org = factories.organisation(db.session)
        partner = factories.organisation(db.session, kind="partner")
        admin = factories.user(db.session, "admin", org)
        cookie, csrf = factories.browser_session(db.session, admin)
        db.session.commit()
        ids = str(org.id), str(partner.id)
    browser = requests.Session()
    browser.cookies.set("session", cookie)
    browser.headers["X-CSRF-Token"] = csrf
    return browser, live_server.config["LIVE_URL"], ids


def _count(live_server, sql: str, **params) -> int:
    from server.core.db import db
    with live_server.app_context():
        return db.session.execute(text(sql), params).scalar()


@pytest.mark.slow
def test_the_same_account_or_organisation_made_at_once(live_server):
    browser, base, (org_id, _) = _admin(live_server)
    for _ in range(2):
        email = f"race-{uuid.uuid4().hex[:8]}@example.org"
        statuses = _together(lambda i: browser.post(base + "/api/users", json={
            "email": email, "name": "Race", "role": "monitor", "organisation_id": org_id,
            "password": "a long enough password 1"}).status_code)
        assert sorted(statuses) == [201] + [409] * (TRIES - 1), statuses
        assert _count(live_server, "SELECT count(*) FROM users WHERE email = :e", e=email) == 1
        name = f"Race organisation {uuid.uuid4().hex[:8]}"
        statuses = _together(lambda i: browser.post(base + "/api/organisations", json={
            "name": name, "short_name": name[-8:], "kind": "partner"}).status_code)
        assert sorted(statuses) == [201] + [409] * (TRIES - 1), statuses


@pytest.mark.slow
def test_a_sharing_policy_set_at_once_is_set_once_each(live_server):
    browser, base, (_, partner_id) = _admin(live_server)
    statuses = _together(lambda i: browser.put(
        base + f"/api/partner-policies/{partner_id}", json={"embargo_days": i}).status_code)
    assert set(statuses) <= {200, 409} and 200 in statuses, statuses
    assert 500 not in statuses
