"""The answers of each version of a visit (table visit_versions), and what one version changed.

Written in the submission's transaction. Free text that may identify a person (notes,
narratives) is kept only as a digest: the diff says it changed, the reviewer reads the text in
the visit itself (an audited read).
"""
from __future__ import annotations

import hashlib
import json
import uuid

from geoalchemy2.shape import to_shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core.db import db

INCIDENT_KEYS = ("type", "occurred_on", "date_precision", "location_precision", "position",
                 "affected", "profiles", "perpetrator", "source_type", "consent", "severity",
                 "follow_up", "photos")
VISIT_KEYS = ("facility_id", "started_at", "ended_at", "position", "position_accuracy_m",
              "access", "access_denied_reason", "held", "room_area_m2", "photos")


def _plain(value):
    return json.loads(json.dumps(
        value, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v)))


def _digest(value) -> str | None:
    return hashlib.sha256(value.encode()).hexdigest()[:16] if value else None


def _point(value):
    if value is None:
        return None
    point = to_shape(value)
    return [round(point.x, 6), round(point.y, 6)]


def answers_of(report: dict) -> dict:
    """A report (ReportSchema's output) as flat, comparable answers."""
    out = {key: report.get(key) for key in VISIT_KEYS}
    out["position"] = _point(report.get("position"))
    out["notes_digest"] = _digest(report.get("notes"))
    if report.get("answers"):  # kept apart like the notes: the versions hold a digest
        out["answers_digest"] = _digest(json.dumps(report["answers"], sort_keys=True))
    for code, value in (report.get("observations") or {}).items():
        out[f"observations.{code}"] = value
    for index, incident in enumerate(report.get("incidents") or []):
        for key in INCIDENT_KEYS:
            out[f"incidents.{index + 1}.{key}"] = incident.get(key)
        out[f"incidents.{index + 1}.position"] = _point(incident.get("position"))
        out[f"incidents.{index + 1}.narrative_digest"] = _digest(incident.get("narrative"))
    return _plain(out)


def record(session: Session, visit_id: uuid.UUID, version: int, answers: dict) -> None:
    db.driver(session).execute(
        "INSERT INTO visit_versions (visit_id, version, answers) VALUES (%s, %s, %s) "
        "ON CONFLICT (visit_id, version) DO NOTHING",
        (visit_id, version, json.dumps(answers)))


def _flatten(answers: dict) -> dict:
    flat = {}
    for key, value in answers.items():
        if isinstance(value, dict) and key != "position":
            for inner, v in value.items():
                flat[f"{key}.{inner}"] = v
        else:
            flat[key] = value
    return flat


def diff(old: dict, new: dict) -> list[dict]:
    """[{field, before, after}] for every answer that differs (None: not answered)."""
    a, b = _flatten(old), _flatten(new)
    changes = []
    for key in sorted(set(a) | set(b)):
        before, after = a.get(key), b.get(key)
        if before in ("", [], {}):
            before = None
        if after in ("", [], {}):
            after = None
        if before != after:
            if key.endswith("_digest"):
                changes.append({"field": key[:-len("_digest")], "before": None, "after": None,
                                "changed_text": True})
            else:
                changes.append({"field": key, "before": before, "after": after})
    return changes


def changes_of(session: Session, visit_id: uuid.UUID, version: int) -> dict:
    """What `version` changed from the one before: {"from", "to", "available", "changes"}."""
    rows = dict(session.execute(text(
        "SELECT version, answers FROM visit_versions WHERE visit_id = :v AND version IN "
        "(:a, :b)"), {"v": visit_id, "a": version - 1, "b": version}).all())
    if version <= 1:
        return {"from": None, "to": version, "available": False, "changes": []}
    if version - 1 not in rows or version not in rows:
        return {"from": version - 1, "to": version, "available": False, "changes": []}
    return {"from": version - 1, "to": version, "available": True,
            "changes": diff(rows[version - 1], rows[version])}
