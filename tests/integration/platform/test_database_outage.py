"""A database outage (issue 11, finding 14) without stopping the shared PostgreSQL: the app
talks to it through a TCP relay on 127.0.0.1 that the test closes and opens again, as a
restart would. Meanwhile phones get 503 with Retry-After (OpenRosa: its XML), the log gets one
line, nothing is half-written, and the same report sent again afterwards is stored once."""
from __future__ import annotations

import json
import logging
import socket
import threading
import uuid
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from server import create_app
from server.core import outage
from server.core.db import db
from tests import factories
from tests.conftest import truncate_all
from tests.integration.partner.conftest import committed
from tests.integration.submissions.test_json_api import report

PROBLEM = "application/problem+json"
OPENROSA = "{http://openrosa.org/http/response}"


class Relay:
    """Forwards connections from a local port to PostgreSQL until `down()`; `up()` again."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        """Refuse new connections and cut every open one, as a stopped server does."""
        if self.listener is not None:
            try:  # wakes the thread blocked in accept(); close() alone would not
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture()
def relayed(app_config):
    """(app, relay, ids): an app whose database is behind the relay, with a committed
    organisation, monitor, device token and facility; every table emptied afterwards."""
    url = app_config["DATABASE_URL"]
    host_port = url.split("@", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    relay = Relay((host, int(port or 5432)))
    relay.up()
    # Not TESTING: errors outside the view must reach the handlers as in production.
    app = create_app({**app_config, "TESTING": False,
                      "DATABASE_URL": url.replace(f"@{host_port}/", f"@127.0.0.1:{relay.port}/")})
    with app.app_context(), committed(url) as session:  # the app's key seals TOTP secrets
        org = factories.organisation(session)
        monitor = factories.user(session, role="monitor", organisation=org)
        facility = factories.facility(session, name="Islam Qala", capacity=100,
                                      kind="detention_centre")
        token = factories.device_token(session, monitor)
        cookie, csrf = factories.browser_session(
            session, factories.user(session, role="coordinator", organisation=org))
    try:
        yield app, relay, dict(facility=facility.id, token=token, cookie=cookie, csrf=csrf)
    finally:
        relay.down()
        with app.app_context():
            db.engine.dispose()
        truncate_all(url)


def count(app, sql: str) -> int:
    with app.app_context():
        return db.session.execute(text(sql)).scalar()


def test_an_outage_answers_503_with_retry_after_and_logs_one_line(relayed, caplog):
    app, relay, ids = relayed
    client = app.test_client()
    auth = {"Authorization": f"Bearer {ids['token']}"}
    body = report(ids["facility"], id=str(uuid.uuid4()))
    assert client.get("/api/facilities", headers=auth).status_code == 200  # pool warmed up

    relay.down()
    caplog.clear()
    caplog.set_level(logging.INFO)
    answers = [client.get("/api/facilities", headers=auth),
               client.post("/api/submissions", json=body, headers=auth),
               client.get("/api/visits", headers=auth)]
    browser = app.test_client()
    browser.set_cookie("session", ids["cookie"])
    answers.append(browser.get("/api/facilities"))  # its session cannot be read: not a 401
    for response in answers:
        assert response.status_code == 503, response.get_data(as_text=True)
        assert response.mimetype == PROBLEM and response.headers["Retry-After"] == "10"
        assert response.get_json()["title"] == "Service unavailable"

    # the OpenRosa door: its own XML, same status and Retry-After
    for response in (client.get(f"/key/{ids['token']}/formList"),
                     client.post(f"/key/{ids['token']}/submission", data=b"x",
                                 content_type="multipart/form-data; boundary=b")):
        assert response.status_code == 503 and response.headers["Retry-After"] == "10"
        assert response.mimetype == "text/xml"
        assert "cannot be reached" in ET.fromstring(response.data).find(
            f"{OPENROSA}message").text

    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(" since ")[0] for r in records] == ["database unreachable"]
    assert not any(r.exc_info for r in caplog.records)  # no traceback at all

    relay.up()
    caplog.clear()
    again = client.post("/api/submissions", json=body, headers=auth)
    assert again.status_code == 201, again.get_data(as_text=True)
    assert [r.getMessage().split(" after ")[0] for r in caplog.records
            if r.name == "server.core.outage"] == ["database reachable again"]
    outage_lines = [r for r in caplog.records if r.name == "server.core.outage"]
    assert outage_lines[-1].getMessage().endswith("6 failed request(s)")
    assert client.post("/api/submissions", json=body, headers=auth).status_code == 200
    assert count(app, "SELECT count(*) FROM visits") == 1  # stored once, nothing half-written


def test_an_anonymous_sign_in_page_needs_no_database(relayed, caplog):
    """The sign-in form's CSRF token lives in a signed cookie (no session row for anonymous
    visitors), so the page still answers while the database is down, and nothing is logged."""
    app, relay, _ = relayed
    client = app.test_client()
    relay.down()
    caplog.set_level(logging.INFO)
    response = client.get("/sign-in")
    assert response.status_code == 200 and 'name="csrf_token"' in response.get_data(as_text=True)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_busy_database_is_a_short_503_and_not_an_outage(app, app_config, caplog):
    """A lock not granted in time (a real one: an advisory lock held by another connection)
    is not an outage: 503 with a short Retry-After, one line, no outage begun."""
    engine = create_engine(app_config["DATABASE_URL"])
    key = uuid.uuid4().int % 2**62
    try:
        with engine.connect() as holder, engine.connect() as waiter:
            holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            waiter.execute(text("SET lock_timeout = '50ms'"))
            with pytest.raises(OperationalError) as caught:
                waiter.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
    finally:
        engine.dispose()
    assert not outage.is_outage(caught.value)
    caplog.set_level(logging.INFO)
    with app.test_request_context("/api/facilities"):
        response = outage.answer(caught.value)
        assert outage.outage_of(app).since is None
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert json.loads(response.get_data())["detail"].startswith("The database is busy")
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert not any(r.exc_info for r in caplog.records)
