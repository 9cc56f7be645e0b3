"""Read queries of the attachments table: the photos of a visit or an incident, and whose record
a photo belongs to (for the access check before it is served)."""
from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session


def of_visit(columns: str, condition: str = "TRUE") -> str:
    """SQL for the attachments of a visit and of its incidents (`a`), each branch through its
    own index, so the cost follows the visit, not the table."""
    return (f"SELECT {columns} FROM attachments a WHERE a.visit_id = %(visit)s AND {condition} "
            f"UNION ALL SELECT {columns} FROM incidents i JOIN attachments a "
            f"ON a.incident_id = i.id WHERE i.visit_id = %(visit)s AND {condition}")


def attachments_of(session: Session, *, visit_id=None, incident_id=None) -> list[dict]:
    """The photos of one visit or one incident, as the detail views show them."""
    rows = session.execute(text("""
        SELECT a.id, a.filename, a.media_type, a.width, a.height, a.bytes,
               a.sha256 IS NOT NULL AS received, a.received_sha256, a.captured_at
        FROM attachments a
        WHERE (CAST(:visit AS uuid) IS NOT NULL AND a.visit_id = :visit)
           OR (CAST(:incident AS uuid) IS NOT NULL AND a.incident_id = :incident)
        ORDER BY a.filename"""), {"visit": visit_id, "incident": incident_id})
    return [dict(row._mapping) for row in rows]


def served(session: Session, attachment_id: uuid.UUID):
    """A received photo with the organisation and monitor of the record it belongs to (its
    visit, or its incident), or None."""
    return session.execute(text("""
        SELECT a.id, a.sha256, a.media_type,
               coalesce(v.organisation_id, i.organisation_id) AS organisation_id,
               coalesce(v.monitor_id, i.monitor_id) AS monitor_id
        FROM attachments a
        LEFT JOIN visits v ON v.id = a.visit_id
        LEFT JOIN incidents i ON i.id = a.incident_id
        WHERE a.id = :id AND a.sha256 IS NOT NULL"""), {"id": attachment_id}).first()
