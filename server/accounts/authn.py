"""The authenticators plugged into core's access gate, tried in this order:

1. a device token in the path, `/key/<token>/...` (ODK Collect, like ODK Central's app users);
2. the `Authorization` header: `Bearer <device token or partner key>`, or HTTP Basic with the
   secret as password (GDAL, QGIS and many HTTP clients only speak Basic);
3. the browser session cookie, once the password and any required second factor were given.

A credential that is presented but not valid is refused (401), never treated as anonymous.
Static files are public and served without looking at credentials (no database round trip).
"""
from __future__ import annotations

from flask import request

from ..core.access import Principal
from ..core.errors import Unauthorized
from . import credentials, sessions

PATH_PREFIX = "/key/"


def path_token() -> Principal | None:
    token = (request.view_args or {}).get("token")
    rule = request.url_rule
    if token is None or rule is None or not rule.rule.startswith(PATH_PREFIX):
        return None
    return credentials.device_principal(str(token))


def authorization_header() -> Principal | None:
    auth = request.authorization
    if auth is None or request.endpoint == "static":
        return None
    if auth.type == "bearer":
        raw = auth.token
    elif auth.type == "basic":
        raw = auth.password
    else:
        return None  # a scheme we do not speak: leave the request anonymous
    if not raw:
        raise Unauthorized(credentials.INVALID)
    return credentials.principal_for(raw.strip())


def session_cookie() -> Principal | None:
    if request.endpoint == "static":
        return None
    current = sessions.current()
    if current.unavailable is not None:  # a cookie, but no database to read it: 503, not 401
        raise current.unavailable
    if not current.signed_in:
        return None
    user = current.user
    return Principal(kind="user", user_id=user.id, organisation_id=user.organisation_id,
                     role=user.role, email=user.email, two_factor_ok=True)


AUTHENTICATORS = (path_token, authorization_header, session_cookie)
