"""The application's Prometheus metrics, in one home. Features count here (core imports no
feature); server/ops/metrics.py serves them. Labels never carry a token, an id or a name:
routes are their templates (`/key/<token>/submission`), never the path a client sent."""
from __future__ import annotations

import logging

from prometheus_client import Counter, Histogram

log = logging.getLogger(__name__)
_failed = {"logged": False}

REQUESTS = Counter("nezarat_http_requests_total", "HTTP requests answered",
                   ["route", "method", "status"])
LATENCY = Histogram("nezarat_http_request_duration_seconds", "Time to answer a request",
                    ["route", "method"],
                    buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
SUBMISSIONS = Counter("nezarat_submissions_total",
                      "Submissions by door (json, json_photo, json_incident, openrosa), "
                      "outcome (accepted, refused) and reason", ["door", "outcome", "reason"])
PHOTOS_CLEANED = Counter("nezarat_photos_cleaned_total",
                         "Photos stripped of metadata, by path (lossless, reencoded)", ["path"])


def photo_cleaned(path: str) -> None:
    try:
        PHOTOS_CLEANED.labels(path=path).inc()
    except Exception as exc:
        failed(exc)


def failed(exc: Exception) -> None:
    """A metric could not be recorded (its multiprocess folder unwritable, a full disk): the
    metric is lost, never the answer or the stored submission. Logged once a process."""
    if not _failed["logged"]:
        _failed["logged"] = True
        log.error("metrics cannot be recorded (%s): /metrics is incomplete until this is fixed",
                  type(exc).__name__)
