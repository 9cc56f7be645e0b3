"""Health: /livez (the process answers), /readyz (database reachable, migrations current) and
/healthz (readiness plus backups: the last successful backup's age, WAL archiving).

All three are public, for load balancers and uptime monitors, so they say only ok/degraded and
numbers: no paths, hosts, error messages or versions of anything."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..core import access, schema
from ..core.db import db
from ..ops import backups

blp = Blueprint("health", __name__)


@blp.route("/livez")
@access.access(access.public)
def livez():
    return jsonify({"status": "ok"})


def _readiness(connection) -> dict:
    connection.execute(text("select 1"))
    current = schema.current_revisions(connection)
    heads = schema.code_heads()
    return {"database": "ok", "migrations": "current" if current == heads else "pending"}


@blp.route("/readyz")
@access.access(access.public)
def readyz():
    report = {"database": "unreachable", "migrations": "unknown"}
    try:
        with db.engine.connect() as connection:
            report.update(_readiness(connection))
    except Exception:  # report, do not raise: this is what load balancers look at
        pass
    ready = report["database"] == "ok" and report["migrations"] == "current"
    report["status"] = "ok" if ready else "unavailable"
    return jsonify(report), 200 if ready else 503


@blp.route("/healthz")
@access.access(access.public)
def healthz():
    report = {"database": "unreachable", "migrations": "unknown", "wal_archiving": "unknown"}
    try:
        with db.engine.connect() as connection:
            report.update(_readiness(connection))
            archiver = backups.archiver_status(connection)
            report["wal_archiving"] = ("off" if archiver["mode"] == "off"
                                       else "failing" if archiver["failing"] else "ok")
            report["wal_archive_failures"] = archiver["failed"]
    except Exception:
        pass
    age = backups.last_age_seconds(current_app.config)
    report["last_backup_age_seconds"] = None if age is None else int(age)
    limit = current_app.config["BACKUP_MAX_AGE_HOURS"] * 3600
    report["backups"] = "missing" if age is None else "stale" if age > limit else "ok"
    serving = report["database"] == "ok" and report["migrations"] == "current"
    safe = report["backups"] == "ok" and report["wal_archiving"] == "ok"
    report["status"] = "ok" if serving and safe else "degraded"
    # 503 only when requests cannot be served: a missing backup must alarm, not take the site down
    return jsonify(report), 200 if serving else 503
