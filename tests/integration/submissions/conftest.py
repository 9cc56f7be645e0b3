"""Fixtures of submissions: committed ones for the live OpenRosa conversation (an organisation, a monitor with a
device token, and a facility, all in the live server's database."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import text

from server.core.db import db
from tests import factories


@pytest.fixture()
def odk(live_server):
    with live_server.app_context():
        session = db.session
        org = factories.organisation(session)
        monitor = factories.user(session, role="monitor", organisation=org)
        facility = factories.facility(session, lon=71.08472, lat=34.11472, name="Torkham")
        token = factories.device_token(session, monitor)
        session.commit()
        ids = SimpleNamespace(org=org.id, monitor=monitor.id, facility=facility.id)
    base = f"{live_server.config['LIVE_URL']}/key/{token}"

    def count(sql: str, **params) -> int:
        with live_server.app_context():
            return db.session.execute(text(sql), params).scalar()

    return SimpleNamespace(app=live_server, base=base, token=token, ids=ids, count=count,
                           http=requests.Session())


@pytest.fixture()
def field(session, client):
    """An organisation, its monitor with a device token (as bearer headers), a facility."""
    org = factories.organisation(session)
    monitor = factories.user(session, role="monitor", organisation=org)
    facility = factories.facility(session, lon=61.0667, lat=34.6667, name="Islam Qala",
                                  capacity=100, kind="detention_centre")
    token = factories.device_token(session, monitor)
    return org, monitor, facility, factories.bearer(token)
