"""The database cannot be reached (restarting, failing over, the network gone) or is too busy
to answer in time: 503 with Retry-After, which phones understand (ODK Collect and our mobile
app keep the report and send it again), and one log line when an outage begins, not a
traceback per request.

Nothing is half-written: a request's work is one transaction, rolled back with the session
when its connection fails, and a retried submission is recognised by its id.

The outage ends with the first connection the pool hands out again (its pre-ping passed);
that is logged once too, with how long it lasted and how many requests were turned away. Each
worker process keeps its own account, so gunicorn's workers log one line each.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone

import psycopg
from flask import Flask, current_app, request, session
from sqlalchemy import event
from sqlalchemy import exc as sa_exc

from .errors import problem

log = logging.getLogger(__name__)

RETRY_AFTER_DOWN = 10  # seconds: a PostgreSQL restart takes a few
RETRY_AFTER_BUSY = 2   # a lock or the pool was not free in time
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError,
               psycopg.OperationalError, psycopg.InterfaceError)
# SQLSTATEs of a server going away or not yet there (class 08: connection exceptions)
_GONE = ("57P01", "57P02", "57P03")
MARK = "nezarat.db_unavailable"  # in the WSGI environ: later hooks need not try the database
_COUNTED = "nezarat.db_failure_counted"


def is_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, UNAVAILABLE)


def is_outage(exc: BaseException) -> bool:
    """The database is unreachable (as opposed to busy: a lock wait, a deadlock, the pool)."""
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig
    if isinstance(exc, sa_exc.TimeoutError):
        return False
    if isinstance(exc, psycopg.InterfaceError):
        return True
    sqlstate = getattr(exc, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _GONE


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


class Outage:
    """Since when the database is unreachable (None: it is not), and how many requests were
    answered 503 meanwhile. Shared by the threads of one process."""

    def __init__(self):
        self._lock = threading.Lock()
        self.since: float | None = None
        self.refused = 0

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            self.refused += 1
            if self.since is not None:
                return
            self.since = time.monotonic()
        log.error("database unreachable since %s (%s); answering 503 with Retry-After until "
                  "it is back", datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  _reason(exc))

    def recovered(self) -> None:
        if self.since is None:  # the usual case: no lock taken
            return
        with self._lock:
            if self.since is None:
                return
            lasted, refused = time.monotonic() - self.since, self.refused
            self.since, self.refused = None, 0
        log.warning("database reachable again after %.1f s, %d failed request(s)",
                    lasted, refused)


def outage_of(app: Flask) -> Outage:
    return app.extensions["nezarat.outage"]


def _failed(exc: BaseException) -> None:
    """Counted once per request, however many times it meets the failure."""
    if not request.environ.get(_COUNTED):
        request.environ[_COUNTED] = True
        outage_of(current_app).failed(exc)


def note(exc: BaseException) -> None:
    """For code that carries on without the database (the browser session loader): count the
    failure into the current outage instead of logging it."""
    if is_outage(exc):
        _failed(exc)


def answer(exc: BaseException):
    """The 503 for a database failure: problem+json (OpenRosa: its XML) with Retry-After."""
    request.environ[MARK] = True
    session.modified = False  # a 503 writes nothing, the browser session's changes neither
    if is_outage(exc):
        _failed(exc)
        wait, detail = RETRY_AFTER_DOWN, "The database cannot be reached; nothing was stored."
    else:
        log.warning("database busy on %s %s: %s", request.method, request.path, _reason(exc))
        wait, detail = RETRY_AFTER_BUSY, "The database is busy; nothing was stored."
    return problem(503, "Service unavailable", f"{detail} Retry in {wait} s.", "unavailable",
                   headers={"Retry-After": str(wait)})


def init_app(app: Flask) -> None:
    """After db.init_app and errors.register."""
    app.extensions["nezarat.outage"] = outage = Outage()
    engine = app.extensions["nezarat.db"]["engine"]
    event.listen(engine, "checkout", lambda *args: outage.recovered())
    for cls in UNAVAILABLE:
        app.register_error_handler(cls, answer)

    # A failure outside the view (loading or saving the browser session, an after-request
    # hook) reaches Flask's handle_exception, which logs a traceback before our handler turns
    # it into the 503: the outage is logged once by Outage.failed instead.
    log_exception = app.log_exception

    def _log_unless_unavailable(exc_info):
        if not is_unavailable(exc_info[1]):
            log_exception(exc_info)
    app.log_exception = _log_unless_unavailable
