"""CSRF: one token per browser session, required on every state-changing request that a
browser could send on its own (anything authenticated by the session cookie, and anonymous form
posts such as the sign-in form, which would otherwise allow signing a victim into an account).

Send it as the form field `csrf_token` or the header `X-CSRF-Token`; pages expose it in
`<meta name="csrf-token">` for fetch/XHR. Each response carries it masked anew (a random pad and
the token XOR the pad, as Django does): the bytes of a page never repeat it, so a compressed
page's length tells nothing about it (BREACH; pages are compressed, server/core/compress.py).
Requests authenticated by a bearer, basic or path token
carry their credential explicitly, so they need none.
"""
from __future__ import annotations

import base64
import hmac
import secrets

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
    """This session's token, masked anew (starting a session for an anonymous visitor if
    needed)."""
    current = sessions.current()
    if not current.csrf:
        current.csrf = new_secret()
        current.modified = True
    return mask(current.csrf)


def mask(token: str) -> str:
    raw = token.encode()
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(pad + bytes(a ^ b for a, b in zip(raw, pad))).decode()


def unmask(sent: str) -> str | None:
    try:
        both = base64.urlsafe_b64decode(sent.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    half = len(both) // 2
    if not half or len(both) % 2:
        return None
    return bytes(a ^ b for a, b in zip(both[half:], both[:half])).decode("latin-1")


def matches(expected: str, sent: str) -> bool:
    """The token as sent: masked (pages, the session API) or as it is."""
    want = expected.encode()
    if hmac.compare_digest(want, sent.encode("utf-8", "surrogateescape")):
        return True
    unmasked = unmask(sent)
    return unmasked is not None and hmac.compare_digest(want, unmasked.encode("latin-1"))


def init_app(app: Flask) -> None:
    @app.before_request
    def _check_csrf():  # registered after the access gate, so the caller is known
        if request.method in SAFE_METHODS or request.endpoint is None:
            return
        if current_principal().kind in TOKEN_KINDS or request.endpoint in CREDENTIAL_IN_BODY:
            return
        expected = sessions.current().csrf
        sent = request.headers.get(HEADER) or request.form.get(FIELD)
        if not expected or not sent or not matches(expected, sent):
            raise CsrfRejected("The CSRF token is missing or wrong: reload the page and try "
                               "again (scripts send it in the X-CSRF-Token header).")
