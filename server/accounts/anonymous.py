"""What a visitor who has not signed in carries between requests (the CSRF token of the sign-in
form, a flashed message): kept in a signed cookie, not in `user_sessions`, so anonymous page
views write nothing on the server (anyone can make as many as they like).

The cookie is signed with a key derived from SECRET_KEY (itsdangerous, HMAC-SHA1 of a salted
key) and expires after ANONYMOUS_IDLE; it holds no secret of the server's, only the visitor's own
random CSRF token. It is dropped once a sign-in creates a server-side session.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Flask
from itsdangerous import BadData, URLSafeTimedSerializer

COOKIE = "anon_session"
SALT = "nezarat.anonymous-session"
MAX_BYTES = 3000  # a cookie past this is refused whole: flashes are short


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.secret_key, salt=SALT)


def load(app: Flask, raw: str | None, max_age: timedelta) -> tuple[str | None, dict]:
    """(csrf token, data) from the cookie; (None, {}) when missing, expired or not ours."""
    if not raw or len(raw) > MAX_BYTES:
        return None, {}
    try:
        payload = _serializer(app).loads(raw, max_age=int(max_age.total_seconds()))
    except BadData:
        return None, {}
    if not isinstance(payload, dict):
        return None, {}
    csrf, data = payload.get("csrf"), payload.get("data")
    return (csrf if isinstance(csrf, str) else None), (data if isinstance(data, dict) else {})


def dump(app: Flask, csrf: str | None, data: dict) -> str | None:
    """The cookie value, or None when it would be too large to keep."""
    raw = _serializer(app).dumps({"csrf": csrf, "data": data})
    return raw if len(raw) <= MAX_BYTES else None
