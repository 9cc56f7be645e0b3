"""Requests this server makes to URLs others chose (a partner's webhook): only to public
addresses, so a URL cannot make the server reach its own network (loopback, the database, a
cloud's metadata service at 169.254.169.254, private ranges) on someone's behalf.

Checked twice: when the URL is registered (its host, if it is an address in any spelling a
resolver accepts: `127.1`, `2130706433`, `[::ffff:127.0.0.1]`), and when each connection is
made, on the addresses the name resolves to *then* (a name can resolve to a public address at
registration and to 127.0.0.1 at delivery: DNS rebinding). The connection goes to the address
that was checked, never to a second lookup. Tests may reach 127.0.0.1 (TESTING) only.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import threading
import time
import urllib.request

LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")
TEST_LOOPBACK = ipaddress.ip_address("127.0.0.1")


class Refused(OSError):
    """A destination that is not a public address."""


def _address(host: str):
    """The IP address a host string spells, or None for a name."""
    host = host.strip("[]").split("%")[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:  # the legacy forms inet_aton and resolvers accept: 127.1, 2130706433, 0x7f.0.0.1
        return ipaddress.ip_address(socket.inet_aton(host))
    except OSError:
        return None


def public(address, *, testing: bool = False) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if testing and address == TEST_LOOPBACK:
        return True
    return address.is_global and not address.is_multicast


def host_problem(host: str | None, *, testing: bool = False) -> str | None:
    """Why a URL's host may not be called (None: it may, as far as can be told before DNS)."""
    if not host:
        return "A URL with a host."
    name = host.lower().rstrip(".")
    if name in LOCAL_NAMES or name.endswith(LOCAL_SUFFIXES):
        return f"{host} is a local name, not a public address."
    address = _address(name)
    if address is not None and not public(address, testing=testing):
        return f"{host} is not a public address."
    return None


def _cut_at(sock: socket.socket, deadline: float) -> threading.Timer:
    """Shut the connection down at `deadline` (time.monotonic()), whatever it is doing: a
    socket timeout bounds one read, and a peer sending a byte before each runs out would
    otherwise hold the caller for as long as it likes."""
    def cut():
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # closed already
    timer = threading.Timer(max(0.0, deadline - time.monotonic()), cut)
    timer.daemon = True
    timer.start()
    return timer


def create_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None,
                      *, testing: bool = False, deadline: float | None = None,
                      cuts: list | None = None):
    """socket.create_connection, to public addresses only: every address the name resolves to
    must be public (a mixed answer is refused), and the socket connects to those addresses.
    With a `deadline` (time.monotonic()), the connection is cut when it passes (its timer is
    added to `cuts`, for the caller to cancel when done)."""
    host, port = address
    problem = host_problem(host, testing=testing)
    if problem:
        raise Refused(problem)
    infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    for *_, sockaddr in infos:
        if not public(ipaddress.ip_address(sockaddr[0].split("%")[0]), testing=testing):
            raise Refused(f"{host} resolves to {sockaddr[0]}, not a public address.")
    error = None
    for family, kind, proto, _, sockaddr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            sock.connect(sockaddr)
            if deadline is not None:
                timer = _cut_at(sock, deadline)
                if cuts is not None:
                    cuts.append(timer)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(f"{host} has no address.")


def opener(*handlers, testing: bool = False,
           deadline: float | None = None) -> urllib.request.OpenerDirector:
    """A urllib opener whose connections go through create_connection, with no proxy from the
    environment (a proxy would dial for us, past the check), cut at `deadline` if given (the
    opener's `cuts`: the timers, to cancel once the exchange is over)."""
    cuts: list = []

    def guarded(self):
        self._create_connection = lambda *a, **k: create_connection(
            *a, **k, testing=testing, deadline=deadline, cuts=cuts)

    class HTTPConnection(http.client.HTTPConnection):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            guarded(self)

    class HTTPSConnection(http.client.HTTPSConnection):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            guarded(self)

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(HTTPConnection, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(HTTPSConnection, req, context=self._context)

    built = urllib.request.build_opener(urllib.request.ProxyHandler({}), HTTPHandler,
                                        HTTPSHandler, *handlers)
    built.cuts = cuts
    return built
