"""/metrics in the Prometheus text format: requests by route and status with latency, submissions
by door and outcome, photos cleaned by path (server/core/metrics.py), and, read at scrape time,
the DB pool, the audit head, the last backup's age and WAL archive failures.

Access: an admin's session, or `Authorization: Bearer $METRICS_TOKEN` (Prometheus). Never public.
With several gunicorn workers set PROMETHEUS_MULTIPROC_DIR (an empty folder, emptied at each
start; deploy/gunicorn.conf.py does it) so that a scrape sums every worker.
"""
from __future__ import annotations

import hmac
import logging
import os
import time

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import text

from ..core import access, metrics
from ..core.access import Principal
from ..core.db import db
from . import backups

blp = Blueprint("ops_metrics", __name__)
log = logging.getLogger("nezarat.submissions")

SUBMISSION_DOORS = {"visits.submit_report": "json", "visits.put_photo": "json_photo",
                    "incidents.report_incident": "json_incident",
                    "openrosa.submission": "openrosa", "openrosa.tokenless_submission": "openrosa"}
REASONS = {400: "malformed", 401: "unauthenticated", 403: "forbidden", 404: "unknown_target",
           409: "conflict", 413: "too_large", 415: "unsupported_type", 422: "invalid",
           429: "throttled", 503: "unavailable"}

ADMIN_OR_SCRAPER = access.Rule("admin or the metrics scrape token",
                               lambda p: p.kind == "metrics" or (p.kind == "user" and
                                                                 p.role == "admin"))


@blp.route("/metrics")
@access.access(ADMIN_OR_SCRAPER)
def metrics_view():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REGISTRY,):
            registry.register(_Forward(collector))
    registry.register(_StateCollector(current_app._get_current_object()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


class _Forward:
    """The process's default registry inside a per-scrape one."""
    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


class _StateCollector:
    """Gauges read when scraped, in the scraping process only (never summed over workers)."""
    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        pool = GaugeMetricFamily("nezarat_db_pool_connections",
                                 "Database pool connections of this process", labels=["state"])
        head = GaugeMetricFamily("nezarat_audit_head_seq", "Sequence of the audit chain's head")
        age = GaugeMetricFamily("nezarat_last_backup_age_seconds",
                                "Age of the last successful backup (absent: none yet)")
        failures = GaugeMetricFamily("nezarat_wal_archive_failures",
                                     "WAL segments PostgreSQL failed to archive "
                                     "(pg_stat_archiver.failed_count)")
        failing = GaugeMetricFamily("nezarat_wal_archive_failing",
                                    "1 when the last WAL archive attempt failed")
        engine_pool = db.engine.pool
        pool.add_metric(["checked_out"], engine_pool.checkedout())
        pool.add_metric(["idle"], engine_pool.checkedin())
        try:
            connection = db.session.connection()
            seq = connection.execute(text("SELECT seq FROM audit_head WHERE id = 1")).scalar()
            head.add_metric([], seq or 0)
            archiver = backups.archiver_status(connection)
            failures.add_metric([], archiver["failed"])
            failing.add_metric([], 1 if archiver["failing"] else 0)
        except Exception:  # the database is down: its gauges are absent, the rest still served
            db.session.rollback()
        last = backups.last_age_seconds(self.app.config)
        if last is not None:
            age.add_metric([], last)
        yield from (pool, head, age, failures, failing)


def _scrape_token() -> Principal | None:
    """Claims /metrics requests carrying the scrape token; anything else is left to the others."""
    expected = current_app.config.get("METRICS_TOKEN") or ""
    header = request.headers.get("Authorization", "")
    if not expected or request.path != "/metrics" or not header.startswith("Bearer "):
        return None
    if hmac.compare_digest(header[7:].strip().encode(), expected.encode()):
        return Principal(kind="metrics")
    return None


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response):
    rule = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
    method = request.method
    started = g.pop("metrics_started", None)
    door = SUBMISSION_DOORS.get(request.endpoint or "")
    outcome = reason = None
    if door and method in ("POST", "PUT"):
        status = response.status_code
        if status < 400:
            outcome, reason = "accepted", "new" if status == 201 else "stored"
        else:
            outcome = "refused"
            reason = REASONS.get(status, "error" if status >= 500 else "other")
        # One line a submission, for the operator: what happened, never what it said.
        log.info("submission %s", outcome, extra={"fields": {
            "door": door, "outcome": outcome, "reason": reason, "status": status}})
    try:
        metrics.REQUESTS.labels(rule, method, str(response.status_code)).inc()
        if started is not None:
            metrics.LATENCY.labels(rule, method).observe(time.perf_counter() - started)
        if outcome:
            metrics.SUBMISSIONS.labels(door, outcome, reason).inc()
    except Exception as exc:  # the metric is lost, never the answer (a stored submission)
        metrics.failed(exc)
    return response


def init_app(app: Flask) -> None:
    authenticators = app.extensions.setdefault("nezarat.authenticators", [])
    authenticators.insert(0, _scrape_token)  # before the bearer check, which refuses unknowns
    app.before_request_funcs.setdefault(None, []).insert(0, _start_timer)  # before the gate
    app.after_request(_observe)
    app.register_blueprint(blp)
