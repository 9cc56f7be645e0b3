from __future__ import annotations

import asyncio
import threading

import pytest
from aiosmtpd.controller import Controller

from tests import factories
from tests.conftest import _free_port


class Inbox:
    """aiosmtpd's handler: keeps every message accepted."""

    def __init__(self):
        self.messages: list[dict] = []
        self.hold = threading.Event()
        self.hold.set()
        self.arrived = threading.Event()
        self.fail_held = False

    async def handle_DATA(self, server, session, envelope):
        held = not self.hold.is_set()
        self.arrived.set()
        while not self.hold.is_set():
            await asyncio.sleep(0.05)
        if held and self.fail_held:  # its client was killed: as if it never arrived
            return "451 Try again later"
        self.messages.append({"to": envelope.rcpt_tos, "session": id(session),
                              "data": envelope.content.decode("utf8", "replace")})
        return "250 OK"


@pytest.fixture()
def smtp(app):
    """A real SMTP server on 127.0.0.1, and the app configured to send to it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    saved = {k: app.config.get(k) for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_SECURITY="none")
    inbox.port = controller.port
    yield inbox
    app.config.update(saved)
    controller.stop()


@pytest.fixture()
def field(session):
    org = factories.organisation(session)
    monitor = factories.user(session, role="monitor", organisation=org)
    coordinator = factories.user(session, role="coordinator", organisation=org,
                                 email="coord@example.org")
    facility = factories.facility(session, lon=61.0667, lat=34.6667, name="Islam Qala",
                                  capacity=100, kind="detention_centre")
    token = factories.device_token(session, monitor)
    return org, monitor, coordinator, facility, factories.bearer(token)
