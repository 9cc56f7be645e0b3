"""Nezarat: the app factory. The only place an application is assembled."""
from __future__ import annotations

import logging
from importlib import import_module

from flask import Flask

from . import config as config_module
from .core import access, compress, errors, http, input_guard, openapi, outage, static_files
from .extensions import db

# Feature route modules, registered in this order. Each exposes `blp` (a flask-smorest or Flask
# Blueprint); nothing else imports routes.
ROUTE_MODULES = [
    "server.health.routes",
    "server.facilities.routes",
    "server.visits.routes",
    "server.incidents.routes",
    "server.review.routes",
    "server.myreports.routes",
    "server.web.my_reports_pages",
    "server.attachments.routes",
    "server.openrosa.routes",
    "server.web.language_routes",
    "server.web.map_routes",
    "server.web.review_routes",
    "server.accounts.routes",
    "server.accounts.credential_routes",
    "server.accounts.phone_routes",
    "server.audit.routes",
    "server.web.account_pages",
    "server.map.routes",
    "server.map.export_routes",
    "server.web.timeline_routes",
    "server.web.compare_pages",
    "server.web.admin_pages",
    "server.web.country_pages",
    "server.web.device_pages",
    "server.web.form_pages",
    "server.web.partner_key_pages",
    "server.web.audit_pages",
    "server.mobile.routes",
    "server.partner.routes",
    "server.partner.admin_routes",
    "server.ogcapi.routes",
    "server.briefs.routes",
    "server.web.api_docs",
    "server.alerts.routes",
    "server.web.notification_pages",
    "server.web.brief_pages",
    "server.webhooks.routes",
    "server.cases.routes",
    "server.web.case_pages",
]

# Modules with an `init_app(app)` that plugs something into core (authenticators, CLI, ...).
INIT_MODULES: list[str] = [
    "server.accounts",
    "server.web.pages",
    "server.web.i18n",
    "server.web.dates",  # every date a page shows, in the person's calendar
    "server.web.assets",
    "server.web.labels",  # words for codes on the admin pages
    "server.forms.cli",
    "server.map.cli",
    "server.partner.hooks",
    "server.ops",  # backups, restore drill, metrics (issue 13)
    "server.jobs",  # the job queue and its worker (issue 20)
    "server.mobile",  # the phone app's face and draft limits, checked at start (issue 17)
]


def create_app(config: dict | None = None) -> Flask:
    settings = config_module.load(config)
    app = Flask(__name__, static_folder="../static", static_url_path="/static")
    app.config.update(settings)
    app.config.update(
        API_TITLE="Nezarat API", API_VERSION="1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api", OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=settings["MAX_SUBMISSION_BYTES"] + 1_000_000,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings["SESSION_COOKIE_SECURE"],
        JSON_SORT_KEYS=False,
    )
    logging.basicConfig(level=settings["LOG_LEVEL"])
    logging.getLogger("alembic").setLevel(logging.WARNING)

    db.init_app(app)
    http.init_app(app)
    compress.init_app(app)  # Brotli/gzip of every response (the one home of compression)
    static_files.init_app(app)  # precompressed, long-cached static files
    access.init_app(app)
    input_guard.init_app(app)  # after the gate (the caller is known), before the rest
    api = openapi.init_app(app, API_DESCRIPTION)
    errors.register(app)  # after Api, whose own HTTPException handler ours replaces
    outage.init_app(app)  # database unreachable or busy: 503 with Retry-After
    app.extensions["nezarat.api"] = api
    access.declare(app, "static", access.public)
    access.declare(app, "api-docs.openapi_json", access.public)

    for name in INIT_MODULES:
        import_module(name).init_app(app)
    for name in ROUTE_MODULES:
        blp = import_module(name).blp
        if hasattr(blp, "_docs"):  # flask-smorest blueprint: documented in the OpenAPI spec
            api.register_blueprint(blp)
        else:
            app.register_blueprint(blp)

    from . import cli
    cli.init_app(app)
    access.check_every_route(app)
    return app


API_DESCRIPTION = (
    "Nezarat: independent monitoring of border crossing points and migrant detention centres. "
    "Errors are application/problem+json (RFC 9457). Lists are keyset-paginated: follow `next`.")
