"""Rotating SECRET_KEY as the README's runbook says (issue 13): first DATA_KEY takes the old
SECRET_KEY's value (when it was empty), then SECRET_KEY gets a new one. What is sealed under
DATA_KEY-or-SECRET_KEY (TOTP seeds here; webhook secrets and encrypted forms' keys likewise)
stays readable, signed-in sessions (random tokens on the server) go on, and a pagination cursor
signed with the old key is refused with a 422 (the client starts the list again), not a 500.
Skipping the DATA_KEY step loses the seeds: the test shows that too, so the runbook's order
matters."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from server import create_app
from server.accounts.models import User
from server.core.db import db
from tests import factories
from tests.conftest import truncate_all
from tests.integration.partner.conftest import committed
from tests.integration.security.test_cursors import next_cursor

OLD = "a" * 64
NEW = "b" * 64
SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _app(app_config, secret: str, data_key: str):
    return create_app({**app_config, "SECRET_KEY": secret, "DATA_KEY": data_key,
                       "TESTING": True})


@pytest.fixture()
def database(app_config):
    yield app_config["DATABASE_URL"]
    truncate_all(app_config["DATABASE_URL"])


def _seed_of(app, email: str):
    with app.app_context():
        found = db.session.scalar(select(User).where(User.email == email)).totp_secret
        db.engine.dispose()
        return found


def test_rotating_secret_key_keeps_sealed_data_and_sessions(app_config, database):
    before = _app(app_config, OLD, "")
    with before.app_context():
        with committed(database) as session:
            org = factories.organisation(session)
            coordinator = factories.user(session, "coordinator", organisation=org)
            coordinator.totp_secret = SEED  # sealed under the old SECRET_KEY
            for number in range(3):
                factories.facility(session, name=f"Facility {number}")
            cookie, _ = factories.browser_session(session, coordinator)
            email = coordinator.email
        db.engine.dispose()
    old_client = before.test_client()
    old_client.set_cookie("session", cookie)
    page = old_client.get("/api/facilities?limit=1")
    assert page.status_code == 200, page.get_data(as_text=True)
    cursor = next_cursor(page.get_json())
    assert _seed_of(before, email) == SEED

    rotated = _app(app_config, NEW, OLD)  # the runbook: DATA_KEY = the old SECRET_KEY
    assert _seed_of(rotated, email) == SEED
    client = rotated.test_client()
    client.set_cookie("session", cookie)
    assert client.get("/api/facilities?limit=1").status_code == 200  # still signed in
    stale = client.get(f"/api/facilities?limit=1&cursor={cursor}")
    assert stale.status_code == 422 and "cursor" in stale.get_json()["errors"]
    with rotated.app_context():
        db.engine.dispose()

    naive = _app(app_config, NEW, "")  # SECRET_KEY changed alone: the seed cannot be opened
    assert _seed_of(naive, email) is None
