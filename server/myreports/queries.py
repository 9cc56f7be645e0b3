"""Read queries of a monitor's own reports. Only rows whose monitor is the caller, in the
caller's organisation, are ever read here."""
from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import text
from sqlalchemy.orm import Session

# One list over two kinds, newest first by (at, id). `at` is when the report first arrived.
_PAGE = """
    SELECT * FROM (
        SELECT 'visit' AS kind, v.id, v.submitted_at AS at, v.updated_at, v.facility_id,
               f.name AS facility_name, v.started_at, v.source, v.version, v.review_status,
               v.review_comment, v.ring, NULL::text AS type, NULL::date AS occurred_on,
               (SELECT r.instance_id FROM submission_records r
                 WHERE r.visit_id = v.id AND r.superseded_by IS NULL
                 ORDER BY r.version DESC LIMIT 1) AS instance_id
        FROM visits v JOIN facilities f ON f.id = v.facility_id
        WHERE v.monitor_id = :monitor AND v.organisation_id = :org AND v.retracted_at IS NULL
        UNION ALL
        SELECT 'incident', i.id, i.created_at, i.updated_at, i.facility_id, f.name, NULL,
               NULL, NULL, i.verification_status, i.review_comment, NULL, i.type,
               i.occurred_on, NULL
        FROM incidents i LEFT JOIN facilities f ON f.id = i.facility_id
        WHERE i.monitor_id = :monitor AND i.organisation_id = :org AND i.visit_id IS NULL
          AND i.retracted_at IS NULL
    ) mine
    WHERE (CAST(:after_at AS timestamptz) IS NULL
           OR (at, id) < (CAST(:after_at AS timestamptz), CAST(:after_id AS uuid)))
    ORDER BY at DESC, id DESC LIMIT :limit"""


def page(session: Session, monitor_id: uuid.UUID, organisation_id: uuid.UUID, *, after=None,
         limit: int = 50) -> list[dict]:
    params = {"monitor": monitor_id, "org": organisation_id, "limit": limit,
              "after_at": after[0] if after else None, "after_id": after[1] if after else None}
    return [dict(r._mapping) for r in session.execute(text(_PAGE), params)]


def incidents_of_visits(session: Session, visit_ids: list) -> dict:
    rows = session.execute(text("""
        SELECT i.visit_id, i.id, i.type, i.occurred_on, i.verification_status AS review_status,
               i.review_comment, i.duplicate_of
        FROM incidents i WHERE i.visit_id = ANY(:ids) AND i.retracted_at IS NULL
        ORDER BY i.visit_id, i.id"""), {"ids": visit_ids})
    out = defaultdict(list)
    for row in rows:
        item = dict(row._mapping)
        out[item.pop("visit_id")].append(item)
    return out


def comments_of(session: Session, target_ids: list) -> dict:
    """The review decisions (and their comments) on these records, oldest first. Who decided
    is not said: the monitor learns what, not which coordinator."""
    rows = session.execute(text("""
        SELECT target_id, at, action, to_status, comment FROM review_events
        WHERE target_id = ANY(:ids) ORDER BY target_id, at, id"""), {"ids": target_ids})
    out = defaultdict(list)
    for row in rows:
        item = dict(row._mapping)
        out[item.pop("target_id")].append(item)
    return out
