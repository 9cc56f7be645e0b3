"""CSRF: one token per browser session, required on every state-changing request that a
browser could send on its own (anything authenticated by the session cookie, and anonymous form
posts such as the sign-in form, which would otherwise allow signing a victim into an account).

Send it as the form field `csrf_token` or the header `X-CSRF-Token`; pages expose it in
`<meta name="csrf-token">` for fetch/XHR. Requests authenticated by a bearer, basic or path token
carry their credential explicitly, so they need none.
"""
from __future__ import annotations

import hmac

from flask import Flask, request

from ..core.access import current_principal
from ..core.errors import Forbidden
from . import sessions
from .tokens import new_secret

HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
TOKEN_KINDS = frozenset({"device", "partner"})
# Routes whose body is itself the credential (a phone's duress call carries the SHA-256 of its
# device token, and has no session): a forged cross-site request could carry none.
CREDENTIAL_IN_BODY = frozenset({"phones.duress"})


class CsrfRejected(Forbidden):
    slug, title = "csrf", "CSRF check failed"


def csrf_token() -> str:
    """This session's token (starting a session for an anonymous visitor if needed)."""
    current = sessions.current()
    if not current.csrf:
        current.csrf = new_secret()
        current.modified = True
    return current.csrf


def init_app(app: Flask) -> None:
    @app.before_request
    def _check_csrf():  # registered after the access gate, so the caller is known
        if request.method in SAFE_METHODS or request.endpoint is None:
            return
        if current_principal().kind in TOKEN_KINDS or request.endpoint in CREDENTIAL_IN_BODY:
            return
        expected = sessions.current().csrf
        sent = request.headers.get(HEADER) or request.form.get(FIELD)
        if not expected or not sent or not hmac.compare_digest(expected, sent):
            raise CsrfRejected("The CSRF token is missing or wrong: reload the page and try "
                               "again (scripts send it in the X-CSRF-Token header).")
