"""What every request made with a partner key goes through, whatever its route:

- a per-key rate limit (PARTNER_RATE_LIMIT_PER_MINUTE), kept in PostgreSQL so that it holds
  across gunicorn workers and restarts: 429 with Retry-After beyond it;
- an audit entry for every call that its view did not audit itself (metadata pages, refusals,
  errors), so every call of a key is in the audit log. Repeated refusals of one burst are not
  audited one by one (a flood must not flood the audit chain): the first is, and the next
  allowed call records how many were refused.
"""
from __future__ import annotations

import math

from flask import Flask, current_app, request

from ..core import outage
from ..core.access import current_principal
from ..core.db import db, side_transaction
from ..core.errors import TooManyRequests
from ..core.input_guard import printable
from . import service

# Per-request marks (in the WSGI environ: `g` lives as long as the app context, which tests share)
AUDITED, COUNTED = "nezarat.partner.audited", "nezarat.partner.counted"


def mark_audited() -> None:
    """A view that wrote its own audit entry for this call."""
    request.environ[AUDITED] = True


def query_of_request() -> dict:
    """The query as the audit log keeps it: a NUL or a lone surrogate (refused by the input
    guard, and not storable) is shown as U+FFFD, so that refused call is audited too."""
    return {printable(key): printable(",".join(values)) for key, values in request.args.lists()}


def _count(session, principal):
    """Count one call of this key in `session` (committed); the row says whether it is over
    the limit."""
    request.environ[COUNTED] = True
    per_minute = max(1, int(current_app.config["PARTNER_RATE_LIMIT_PER_MINUTE"]))
    row = service.count_call(session, principal, per_minute, request.path)
    if row.refused > 1:
        mark_audited()  # the first refusal of this burst is in the log already
    return row, per_minute


def _is_partner(principal) -> bool:
    return principal.kind == "partner" and principal.credential_id is not None


def _limit() -> None:
    principal = current_principal()
    if not _is_partner(principal):
        return
    # Before the view nothing is pending in the request's session: counting there spares a
    # connection of its own (and its round trips) on every call.
    row, per_minute = _count(db.session, principal)
    if row.refused:
        wait = max(1, math.ceil(row.wait))
        raise TooManyRequests(
            f"This key may make {per_minute} requests a minute; retry in {wait} s.",
            headers={"Retry-After": str(wait)})


def _audit_unaudited(response):
    principal = current_principal()
    if not _is_partner(principal) or request.environ.get(outage.MARK):
        return response  # not a partner; or no database to write to (a 503 said so)
    if not request.environ.get(COUNTED):  # refused by the access gate before _limit ran
        with side_transaction() as session:
            _count(session, principal)
    if request.environ.get(AUDITED):
        return response
    with side_transaction() as session:
        service.record_call(session, principal, "partner.request", query_of_request(), 0,
                            method=request.method, path=request.path,
                            status=response.status_code)
    return response


def init_app(app: Flask) -> None:
    # Registered after core's access gate, so the caller is already known here.
    app.before_request(_limit)
    app.after_request(_audit_unaudited)
