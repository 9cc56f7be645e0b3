"""HTTP plumbing shared by every blueprint: the webargs parser, security headers, and which
reverse proxies are believed about the client's address and the URL it used."""
from __future__ import annotations

from datetime import date, datetime, timezone

import flask_smorest
from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from webargs.flaskparser import FlaskParser
from werkzeug.middleware.proxy_fix import ProxyFix

from .errors import BadRequest, UnsupportedMediaType


class StrictParser(FlaskParser):
    """JSON bodies must say they are JSON and be JSON; errors name the problem; unknown
    parameters are refused wherever they come (each schema's Meta.unknown decides)."""

    DEFAULT_UNKNOWN_BY_LOCATION: dict = {}

    def load_json(self, req, schema):
        if req.method in ("POST", "PUT", "PATCH") and req.get_data(cache=True):
            if not req.is_json:
                raise UnsupportedMediaType(
                    f"Send the body as application/json (got {req.mimetype or 'no content type'}).")
        return super().load_json(req, schema)

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        raise BadRequest(f"The body is not valid JSON: {error}.")


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
       "img-src 'self' data: blob: {tiles}; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")


class RFC3339JSONProvider(DefaultJSONProvider):
    """Times on the wire are RFC 3339 (UTC for aware times), dates ISO 8601, UUIDs strings."""

    @staticmethod
    def default(value):
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(timezone.utc)
            return value.isoformat().replace("+00:00", "Z")
        if isinstance(value, date):
            return value.isoformat()
        return DefaultJSONProvider.default(value)


def init_app(app: Flask) -> None:
    app.json = RFC3339JSONProvider(app)
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # Behind that many proxies, the X-Forwarded-For/-Proto/-Host/-Port they set are the
        # client's address (sign-in throttling, sessions, audit) and the URL it used (links).
        # Without proxies such headers are ignored: anybody could send them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,
                                x_port=proxies)
    tile_origin = ""
    if app.config.get("TILE_URL", "").startswith("http"):
        parts = app.config["TILE_URL"].split("/")
        tile_origin = "/".join(parts[:3]).replace("{s}", "*")

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP.format(tiles=tile_origin))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.path.startswith("/api/") and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response


class Blueprint(flask_smorest.Blueprint):
    """Our API blueprints: strict JSON parsing, problem+json errors."""
    ARGUMENTS_PARSER = StrictParser()
