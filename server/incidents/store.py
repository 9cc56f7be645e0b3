"""Writing incidents and their narratives: every incident of a report in one statement.

The rows travel as one JSON array (json_to_recordset), so the statement's text is the same for
any number of incidents and PostgreSQL can keep it prepared; the map's statement-level triggers
then run once per report instead of once per incident.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session

from ..core.db import db
from ..core.statuses import SUBMITTED

# column -> SQL type, for json_to_recordset (which matches the JSON rows' fields by name)
COLUMNS = {
    "visit_id": "uuid", "organisation_id": "uuid", "monitor_id": "uuid", "facility_id": "uuid",
    "type": "text", "occurred_on": "date", "date_precision": "text",
    "location_precision": "text", "country": "text", "admin1": "text",
    "affected_women": "int", "affected_men": "int", "affected_girls": "int",
    "affected_boys": "int", "affected_unaccompanied": "int", "profiles": "jsonb",
    "perpetrator": "text", "state_responsible": "text", "source_type": "text", "consent": "text",
    "severity": "smallint",
    "follow_up": "boolean", "updated_at": "timestamptz"}
# columns an edit of the visit may change (not the id, visit or demo flag)
_UPDATED = [c for c in COLUMNS if c != "visit_id"] + ["location"]

_RECORD = ", ".join(["id uuid", "demo boolean", "lon float8", "lat float8", "narrative text"]
                    + [f"{c} {t}" for c, t in COLUMNS.items()])
_INSERT = (f"INSERT INTO incidents (id, demo, location, {', '.join(COLUMNS)}) "
           f"SELECT id, demo, ST_SetSRID(ST_MakePoint(lon, lat), 4326), {', '.join(COLUMNS)} "
           "FROM r")
_OVERWRITE = (" ON CONFLICT (id) DO UPDATE SET "
              + ", ".join(f"{c} = EXCLUDED.{c}" for c in _UPDATED)
              + ", retracted_at = NULL, retracted_reason = NULL")
_WITH_NARRATIVES = f"""
    WITH r AS (SELECT * FROM json_to_recordset(CAST(%(rows)s AS json)) AS r({_RECORD})),
    i AS ({{incidents}} RETURNING id)
    INSERT INTO incident_sensitive (incident_id, narrative)
    SELECT r.id, r.narrative FROM r JOIN i ON i.id = r.id
    ON CONFLICT (incident_id) DO UPDATE SET narrative = EXCLUDED.narrative"""
CREATE = _WITH_NARRATIVES.format(incidents=_INSERT)

# What an incident says: every column a report sets except whose it is and when it was written,
# with its place and narrative. An edit that changes any of it needs a new review.
_CONTENT = [c for c in COLUMNS if c not in ("visit_id", "organisation_id", "monitor_id",
                                            "updated_at")]
_OLD = ", ".join([f"i.{c}" for c in _CONTENT] + ["ST_X(i.location)", "ST_Y(i.location)",
                                                  "s.narrative"])
_NEW = ", ".join([f"r.{c}" for c in _CONTENT] + ["r.lon", "r.lat", "r.narrative"])
# Rows locked before they are compared, so a review decided meanwhile is the one reopened.
REOPEN = f"""
    WITH r AS (SELECT * FROM json_to_recordset(CAST(%(rows)s AS json)) AS r({_RECORD})),
    changed AS (
        SELECT i.id, i.verification_status AS was
        FROM incidents i JOIN r ON r.id = i.id
        LEFT JOIN incident_sensitive s ON s.incident_id = i.id
        WHERE i.verification_status <> '{SUBMITTED}'
          AND (i.retracted_at IS NOT NULL OR ({_OLD}) IS DISTINCT FROM ({_NEW}))
        FOR UPDATE OF i)
    UPDATE incidents i SET verification_status = '{SUBMITTED}', updated_at = %(now)s
    FROM changed c WHERE i.id = c.id
    RETURNING i.id, c.was"""
CREATE_OR_OVERWRITE = _WITH_NARRATIVES.format(incidents=_INSERT + _OVERWRITE)


def save(session: Session, rows: list[dict], *, overwrite: bool = False) -> None:
    """Insert the incidents with their narratives; with `overwrite`, those that exist are
    overwritten (and un-retracted). Each row holds COLUMNS, id, demo, lon, lat and narrative."""
    if rows:
        db.driver(session).execute(CREATE_OR_OVERWRITE if overwrite else CREATE,
                                   {"rows": json.dumps(rows, default=str)})


def reopen_changed(session: Session, rows: list[dict], now: datetime):
    """Before an edit overwrites them: incidents whose content the edit changes (or that it
    brings back after a retraction) return to `submitted`, whatever a reviewer had decided.
    Returns the cursor of their (id, previous status), to read once the pipeline has run."""
    return db.driver(session).execute(REOPEN, {"rows": json.dumps(rows, default=str),
                                               "now": now})


def retract_others(session: Session, visit_id, kept: list, now: datetime) -> None:
    """Incidents an edit of their visit dropped: retracted, not deleted."""
    db.driver(session).execute("""
        UPDATE incidents SET retracted_at = %(now)s, updated_at = %(now)s,
               retracted_reason = 'removed when the visit was edited'
        WHERE visit_id = %(visit)s AND retracted_at IS NULL AND NOT (id = ANY(%(kept)s))""",
        {"visit": visit_id, "kept": kept, "now": now})
