"""/healthz: database reachable and migrations current."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..core import access, schema
from ..core.db import db

blp = Blueprint("health", __name__)


@blp.route("/healthz")
@access.access(access.public)
def healthz():
    report = {"database": "unreachable", "migrations": "unknown"}
    try:
        with db.engine.connect() as connection:
            connection.execute(text("select 1"))
            report["database"] = "ok"
            current = schema.current_revisions(connection)
        heads = schema.head_revisions(current_app.config["DATABASE_URL"])
        report["migrations"] = "current" if current == heads else "pending"
        report["revision"] = ",".join(sorted(current)) or None
    except Exception as exc:  # report, do not raise: this is what monitors' ops people look at
        report["error"] = type(exc).__name__
    healthy = report["database"] == "ok" and report["migrations"] == "current"
    report["status"] = "ok" if healthy else "degraded"
    return jsonify(report), 200 if healthy else 503
