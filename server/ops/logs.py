"""The app's logs: one JSON object a line, each with the request id, and nothing a log reader
could use against the people in the data or to sign in.

- Request id: the reverse proxy's `X-Request-Id` when the app sits behind one
  (TRUSTED_PROXIES > 0) and the value is a plain id; otherwise a new one. It goes back in the
  `X-Request-Id` response header (so gunicorn's access line carries it too, see accesslog.py)
  and into every log line written while the request runs.
- No secrets: device tokens in paths (`/key/<token>/`) and token-like query parameters are
  redacted from every message; IP addresses too.
- No personal data: an exception is logged as its type, its SQLSTATE when it comes from
  PostgreSQL, and where it was raised (file:line function), never its message, since a
  database error quotes the values it refused (a narrative, a name) and SQLAlchemy appends the
  statement's parameters.
"""
from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import traceback
import uuid
from datetime import datetime, timezone

from flask import Flask

HEADER = "X-Request-Id"
REDACTED = "[redacted]"
_PATH_TOKEN = re.compile(r"(/key/)[^/?#\s\"]+")
_QUERY_SECRET = re.compile(
    r"((?:^|[?&;])(?:token|key|access_token|api_key|password|secret|code)=)[^&;#\s\"]*",
    re.IGNORECASE)
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_PLAIN_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
_IP_ATOM = re.compile(r"(ip=)\S+?(?=:\s|\s|$)")
MARK = "_nezarat_json"


def current_request_id() -> str | None:
    return _current.get()


def redact(value: str) -> str:
    """Device tokens in paths and token-like query parameters, redacted."""
    return _QUERY_SECRET.sub(r"\1" + REDACTED, _PATH_TOKEN.sub(r"\1" + REDACTED, value))


def scrub(message: str) -> str:
    """A log message without device tokens, query secrets or IP addresses."""
    return _IPV4.sub(_ip, _IP_ATOM.sub(r"\1[ip]", redact(message)))


def _ip(found: re.Match) -> str:
    return found.group(0) if found.group(0) in ("127.0.0.1", "0.0.0.0") else "[ip]"


def now_text(epoch: float) -> str:
    return (datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"))


def describe_exception(exc: BaseException) -> dict:
    """Type, SQLSTATE and frames of an exception, its message left out (see the module doc)."""
    found = {"type": f"{type(exc).__module__}.{type(exc).__qualname__}"}
    origin = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    sqlstate = getattr(origin, "sqlstate", None) or getattr(origin, "pgcode", None)
    if sqlstate:
        found["sqlstate"] = str(sqlstate)
    if origin is not exc:
        found["cause"] = f"{type(origin).__module__}.{type(origin).__qualname__}"
    frames = traceback.extract_tb(exc.__traceback__)[-12:]
    found["frames"] = [f"{_short(f.filename)}:{f.lineno} {f.name}" for f in frames]
    return found


def _short(path: str) -> str:
    for marker in ("/site-packages/", "/server/", "/lib/python"):
        if marker in path:
            return path[path.index(marker) + 1:]
    return os.path.basename(path)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, pid, and the
    `fields` passed as `extra={"fields": {...}}` (plain values only)."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = str(record.msg)
        line = {
            "time": now_text(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(message),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
            "pid": record.process,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                if key not in line and isinstance(value, (str, int, float, bool, type(None))):
                    line[key] = scrub(value) if isinstance(value, str) else value
        if record.exc_info and record.exc_info[1] is not None:
            line["exception"] = describe_exception(record.exc_info[1])
        elif record.exc_info or record.exc_text:
            line["exception"] = {"type": "unknown"}
        if record.stack_info:
            line["stack"] = "(omitted)"
        return json.dumps(line, ensure_ascii=False, default=str)


def use_json(logger: logging.Logger, *, only_plain_streams: bool = False) -> None:
    """Give the logger's handlers the JSON formatter (only the plain StreamHandlers that
    logging.basicConfig makes, with only_plain_streams: a test runner's capture handlers stay)."""
    for handler in logger.handlers:
        if only_plain_streams and type(handler) is not logging.StreamHandler:
            continue
        handler.setFormatter(JsonFormatter())
        setattr(handler, MARK, True)


class RequestIds:
    """WSGI middleware: the request id, in the environ, the log context and the response."""

    def __init__(self, wsgi_app, trust_proxy: bool):
        self.wsgi_app = wsgi_app
        self.trust_proxy = trust_proxy

    def __call__(self, environ, start_response):
        given = environ.get("HTTP_X_REQUEST_ID", "") if self.trust_proxy else ""
        request_id = given if _PLAIN_ID.fullmatch(given) else uuid.uuid4().hex
        environ["HTTP_X_REQUEST_ID"] = request_id
        environ["nezarat.request_id"] = request_id

        def start(status, headers, exc_info=None):
            headers = [(k, v) for k, v in headers if k.lower() != HEADER.lower()]
            headers.append((HEADER, request_id))
            return start_response(status, headers, exc_info)

        token = _current.set(request_id)
        try:
            return self.wsgi_app(environ, start)
        finally:
            _current.reset(token)


def init_app(app: Flask) -> None:
    use_json(logging.getLogger(), only_plain_streams=True)
    if not isinstance(app.wsgi_app, RequestIds):
        app.wsgi_app = RequestIds(app.wsgi_app, app.config.get("TRUSTED_PROXIES", 0) > 0)
