"""Domain errors and the one handler that turns them into problem+json (RFC 9457)."""
from __future__ import annotations

import logging

from flask import Flask, Response, current_app, json, request
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
TYPE_BASE = "https://nezarat.org/problems/"
DEFAULT_CHALLENGE = 'Bearer realm="nezarat"'
UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE


class AppError(Exception):
    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, errors: dict | None = None, headers: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


class BadRequest(AppError):
    pass


class ValidationFailed(AppError):
    status, slug, title = 422, "validation", "Invalid input"

    @classmethod
    def field(cls, name: str, message: str) -> "ValidationFailed":
        return cls(f"{name}: {message}", {name: [message]})


class Unauthorized(AppError):
    status, slug, title = 401, "unauthenticated", "Authentication required"


class Forbidden(AppError):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(AppError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(AppError):
    status, slug, title = 409, "conflict", "Conflict"


class PayloadTooLarge(AppError):
    status, slug, title = 413, "too-large", "Payload too large"


class UnsupportedMediaType(AppError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class TooManyRequests(AppError):
    status, slug, title = 429, "rate-limited", "Too many requests"


def register_formatter(app: Flask, blueprint: str, formatter) -> None:
    """Some doors speak another error format (OpenRosa XML): formatter(status, detail, headers)."""
    app.extensions.setdefault("nezarat.error_formatters", {})[blueprint] = formatter


def problem(status: int, title: str, detail: str, slug: str, errors=None, headers=None) -> Response:
    formatter = current_app.extensions.get("nezarat.error_formatters", {}).get(
        request.blueprint) if request else None
    if formatter is not None:
        return formatter(status, detail, headers or {})
    body = {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail,
            "instance": request.path if request else None}
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401 and "WWW-Authenticate" not in response.headers:  # RFC 9110 requires one
        response.headers["WWW-Authenticate"] = DEFAULT_CHALLENGE
    return response


def _flatten(messages) -> dict:
    """webargs nests messages by location ({"json": {"name": [...]}}); we name fields only."""
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "form", "headers",
                                                         "files", "view_args", "querystring"}:
        merged: dict = {}
        for part in messages.values():
            merged.update(part if isinstance(part, dict) else {"_": part})
        return merged
    return messages if isinstance(messages, dict) else {"_": messages}


def describe(errors: dict) -> str:
    parts = []
    for name, msgs in errors.items():
        if isinstance(msgs, dict):
            inner = describe(msgs)
            parts.append(f"{name}.{inner}" if name != "_schema" else inner)
        else:
            text = "; ".join(str(m) for m in (msgs if isinstance(msgs, list) else [msgs]))
            parts.append(text if name in ("_schema", "_") else f"{name}: {text}")
    return "; ".join(parts)


def register(app: Flask) -> None:
    from . import outage  # it answers with problem(): imported here, not at the top

    @app.errorhandler(AppError)
    def _app_error(exc: AppError):
        return problem(exc.status, exc.title, exc.detail, exc.slug, exc.errors, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        original = getattr(exc, "original_exception", None)
        if exc.code == 500 and outage.is_unavailable(original):  # raised outside the view
            return outage.answer(original)
        data = getattr(exc, "data", None) or {}
        messages = data.get("messages")
        if messages is not None:  # webargs / marshmallow validation
            errors = _flatten(messages)
            return problem(422, "Invalid input", describe(errors), "validation", errors)
        if exc.code == 413:
            return problem(413, "Payload too large", "The request body is larger than allowed.",
                           "too-large")
        headers = dict(exc.get_headers()) if exc.code == 405 else {}
        headers.pop("Content-Type", None)
        return problem(exc.code or 500, exc.name, exc.description or exc.name,
                       exc.name.lower().replace(" ", "-"), headers=headers)

    @app.errorhandler(sa_exc.IntegrityError)
    def _integrity(exc: sa_exc.IntegrityError):
        # A unique index caught what a service's check let through: the same thing made twice
        # at once (a double click, a retry, two people), the loser of that race. Nothing of
        # its transaction is kept; it is told what happened instead of a 500.
        if getattr(exc.orig, "sqlstate", None) != UNIQUE_VIOLATION:
            return _unexpected(exc)
        from .db import db
        db.session.rollback()
        log.info("unique violation on %s %s (%s)", request.method, request.path,
                 getattr(getattr(exc.orig, "diag", None), "constraint_name", None))
        return problem(409, "Conflict", "The same change was made at the same moment by "
                       "another request; nothing more was stored. Reload to see it.", "conflict")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return problem(500, "Internal error", "Something went wrong on the server; it is logged.",
                       "internal")
