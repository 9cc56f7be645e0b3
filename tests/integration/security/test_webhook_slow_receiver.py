"""A partner's webhook receiver that answers a byte at a time (second adversarial pass). The
POST's timeout was per socket read, so a receiver sending a header line every few seconds held
the job worker for as long as it liked (100 headers of 64 KB, a byte every 9 s: weeks), while
alerts, briefs and every other partner's deliveries waited. A POST now has one deadline, from
connection to last byte: past it the connection is cut and the delivery retried later."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from server.webhooks import service


def _receiver(stop: threading.Event, first: bytes, lines: int, pause: float) -> int:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve():
        conn, _ = listener.accept()
        conn.recv(65536)
        try:
            conn.sendall(first)
            for i in range(lines):
                if stop.is_set():
                    break
                conn.sendall(b"X-Drip-%d: a\r\n" % i)
                time.sleep(pause)
        except OSError:
            pass
        finally:
            conn.close()
            listener.close()
    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1]


@pytest.mark.parametrize("first, lines, pause", [
    (b"HTTP/1.1 200 OK\r\n", 90, 0.5),  # under http.client's 100 headers: 45 s
    (b"HTTP/1.1 200 OK\r\n", 150, 0.0),  # more than 100 headers (HTTPException, uncaught)
    (b"hello there\r\n", 0, 0.0),  # not HTTP (BadStatusLine, uncaught)
], ids=["dripping", "too-many-headers", "not-http"])
def test_a_hostile_receiver_is_a_failed_delivery_within_the_deadline(app, monkeypatch, first,
                                                                     lines, pause):
    monkeypatch.setattr(service, "TIMEOUT", 2.0)
    stop = threading.Event()
    port = _receiver(stop, first, lines, pause)
    started = time.monotonic()
    with app.app_context():
        status, error = service.post(f"http://127.0.0.1:{port}/hook", "whsec_test", "key", b"[]")
    took = time.monotonic() - started
    stop.set()
    assert took < 4, took  # before: until the receiver stopped (45 s)
    assert status is None and error, (status, error)
