"""Second pass: a partner's webhook URL is a request the server makes on the partner's behalf.
Registered as a private, loopback or link-local address (in any of the spellings a resolver
accepts), or as a name that resolves there at delivery time (DNS rebinding), it turned the
server into a port scanner of its own network (the delivery log shows each connection's error)
and a POSTer to internal services. Now an address that is not public is refused when the hook
is registered, and again at the moment of each connection (the address actually dialled)."""
from __future__ import annotations

import socket

import pytest
from sqlalchemy import text

from tests import factories, jobs_inline

PRIVATE = ["https://127.0.0.1/x", "https://127.1/x", "https://2130706433/x",
           "https://0x7f000001/x", "https://[::1]/x", "https://[::ffff:127.0.0.1]/x",
           "https://10.0.0.8/x", "https://192.168.1.1/x", "https://172.16.0.1/x",
           "https://169.254.169.254/latest/meta-data/", "https://[fe80::1]/x",
           "https://0.0.0.0/x", "https://localhost/x", "https://db.localhost/x",
           "https://100.64.0.1/x", "https://[fd00::1]/x"]


@pytest.fixture()
def partner(session):
    org = factories.organisation(session, kind="partner")
    return org, factories.bearer(factories.partner_key(session, org, scopes=("incidents:read",)))


@pytest.fixture()
def production(app):
    app.config["TESTING"] = False  # the loopback receiver of the other tests is a test's only
    yield app
    app.config["TESTING"] = True


@pytest.fixture()
def listener():
    """A TCP port on loopback that records whether anything connected to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def _connected(sock) -> bool:
    try:
        sock.accept()[0].close()
        return True
    except BlockingIOError:
        return False


def _incident(session):
    facility = factories.facility(session)
    org = factories.organisation(session)
    session.execute(text(
        "INSERT INTO incidents (id, organisation_id, facility_id, type, occurred_on, location, "
        "location_precision, country, admin1, severity, consent, verification_status, "
        "updated_at) VALUES (gen_random_uuid(), :o, :f, 'arbitrary_arrest', current_date - 30, "
        "ST_SetSRID(ST_MakePoint(61.06, 34.66), 4326), 'facility', 'AFG', 'Herat', 3, "
        "'share_anonymised', 'verified', clock_timestamp() + interval '1 second')"),
        {"o": org.id, "f": facility.id})


@pytest.mark.parametrize("url", PRIVATE)
def test_private_addresses_are_refused_at_registration(client, partner, production, url):
    _, auth = partner
    response = client.post("/api/webhooks", json={"url": url}, headers=auth)
    assert response.status_code == 422, (url, response.get_json())
    assert "url" in response.get_json()["errors"]


def _deliver_to(client, session, auth, url: str):
    hook = client.post("/api/webhooks", json={"url": url}, headers=auth)
    assert hook.status_code == 201, hook.get_json()
    hook_id = hook.get_json()["id"]
    session.execute(text("UPDATE webhooks SET synced_asof = now() - interval '1 hour' "
                         "WHERE id = :id"), {"id": hook_id})
    _incident(session)
    jobs_inline.run_all(session)
    return client.get(f"/api/webhooks/{hook_id}/deliveries", headers=auth).get_json()["items"]


def test_a_name_that_rebinds_to_loopback_is_not_dialled(client, session, partner, production,
                                                        listener, monkeypatch):
    """Public when registered, 127.0.0.1 when the delivery job resolves it."""
    _, auth = partner
    port = listener.getsockname()[1]
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host == "rebind.example":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    log = _deliver_to(client, session, auth, f"https://rebind.example:{port}/hook")
    assert not _connected(listener), "the server connected to its own loopback"
    assert log and log[0]["status"] == "pending" and log[0]["last_status"] is None
    assert "not a public address" in log[0]["last_error"]


def test_a_stored_loopback_url_is_not_dialled(client, session, partner, production, listener):
    """A hook registered before the check (or by an admin's mistake) is checked again when it
    is delivered."""
    org, auth = partner
    port = listener.getsockname()[1]
    hook = client.post("/api/webhooks", json={"url": "https://public.example/hook"},
                       headers=auth).get_json()
    session.execute(text("UPDATE webhooks SET url = :u, synced_asof = now() - interval '1 hour' "
                         "WHERE id = :id"), {"u": f"https://127.0.0.1:{port}/hook",
                                             "id": hook["id"]})
    _incident(session)
    jobs_inline.run_all(session)
    assert not _connected(listener), "the server connected to its own loopback"
    log = client.get(f"/api/webhooks/{hook['id']}/deliveries", headers=auth).get_json()["items"]
    assert "not a public address" in log[0]["last_error"]


def test_loopback_is_open_to_the_alerts_benchmark_alone(client, partner, production,
                                                        monkeypatch):
    """bench/alerts.py delivers to a receiver on 127.0.0.1 through an app it creates with
    BENCH_LOOPBACK_WEBHOOKS; that setting is not read from the environment, and opens
    127.0.0.1 only (not the rest of 127/8, a local name or a private range)."""
    from server.config import load
    _, auth = partner
    monkeypatch.setenv("BENCH_LOOPBACK_WEBHOOKS", "true")
    assert "BENCH_LOOPBACK_WEBHOOKS" not in load()
    refused = client.post("/api/webhooks", json={"url": "http://127.0.0.1:9/x"}, headers=auth)
    assert refused.status_code == 422
    production.config["BENCH_LOOPBACK_WEBHOOKS"] = True
    try:
        opened = client.post("/api/webhooks", json={"url": "http://127.0.0.1:9/x"}, headers=auth)
        assert opened.status_code == 201, opened.get_json()
        for url in ("https://127.0.0.2/x", "https://10.0.0.8/x", "https://localhost/x"):
            assert client.post("/api/webhooks", json={"url": url},
                               headers=auth).status_code == 422
    finally:
        production.config.pop("BENCH_LOOPBACK_WEBHOOKS")
