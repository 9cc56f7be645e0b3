"""Writing a visit: the visit row, its notes and the submission record in one statement.

Plain SQL on the session's psycopg connection rather than the ORM's unit of work: a report
arrives from a phone many times a second, and each row is written once, whole, with nothing to
read back.
"""
from __future__ import annotations

import json
import uuid
from datetime import timedelta

from psycopg.rows import namedtuple_row
from sqlalchemy.orm import Session

from ..attachments.queries import of_visit
from ..core.db import db

# What a submission sets on a visit; an edit (a new version) sets them all again.
COLUMNS = ("facility_id", "organisation_id", "monitor_id", "device_token_id", "source",
           "form_id", "form_version", "started_at", "ended_at", "position_accuracy_m",
           "distance_m", "access", "access_denied_reason", "held_women", "held_men",
           "held_girls", "held_boys", "held_unaccompanied", "room_area_m2", "ring",
           "review_status", "version", "updated_at")
JSON_COLUMNS = ("observations", "scores", "flags", "dimensions", "red_flags", "returnees")

_VALUES = ", ".join(
    ["%(id)s", "%(demo)s", "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)"]
    + [f"CAST(%({c})s AS jsonb)" for c in JSON_COLUMNS] + [f"%({c})s" for c in COLUMNS])
_INSERT = (f"INSERT INTO visits (id, demo, position, {', '.join(JSON_COLUMNS + COLUMNS)}) "
           f"VALUES ({_VALUES})")
_OVERWRITE = " ON CONFLICT (id) DO UPDATE SET " + ", ".join(
    f"{c} = EXCLUDED.{c}" for c in ("position",) + JSON_COLUMNS + COLUMNS)
_WITH_NOTES_AND_RECORD = """
    WITH v AS ({visit} RETURNING id),
    n AS (INSERT INTO visit_sensitive (visit_id, notes, answers)
          SELECT id, %(notes)s, CAST(%(answers)s AS jsonb) FROM v
          ON CONFLICT (visit_id) DO UPDATE SET notes = EXCLUDED.notes,
                                               answers = EXCLUDED.answers)
    INSERT INTO submission_records (instance_id, visit_id, version, body_sha256, body, source,
                                    deprecated_id, complete)
    SELECT %(instance_id)s, id, %(version)s, %(body_sha256)s, %(body)s, %(source)s,
           %(deprecated_id)s, %(complete)s
    FROM v"""
CREATE = _WITH_NOTES_AND_RECORD.format(visit=_INSERT)
NEW_VERSION = _WITH_NOTES_AND_RECORD.format(visit=_INSERT + _OVERWRITE)


def save(session: Session, visit: dict, notes: str | None, record: dict, *,
         new_version: bool, answers: dict | None = None) -> None:
    """Insert the visit (or overwrite it with a new version), its notes, the answers no field
    takes (forms published in the browser) and the submission record. `visit` holds COLUMNS,
    JSON_COLUMNS, id, demo and the position as lon / lat."""
    params = {**visit, **record, "notes": notes,
              "answers": json.dumps(answers) if answers else None}
    for column in JSON_COLUMNS:
        params[column] = json.dumps(visit[column])
    db.driver(session).execute(NEW_VERSION if new_version else CREATE, params)


def supersede(session: Session, old_instance: str, new_instance: str,
              organisation_id: uuid.UUID, monitor_id: uuid.UUID | None, *,
              any_monitor: bool = False):
    """Mark the record an edit replaces, if it is the latest version of a visit of this
    organisation submitted by `monitor_id` (by anyone with `any_monitor`); None otherwise.
    Concurrent edits of one version: exactly one wins. Returns the visit's id, version and
    monitor."""
    return db.driver(session).cursor(row_factory=namedtuple_row).execute("""
        UPDATE submission_records o SET superseded_by = %(new)s
        FROM visits v
        WHERE o.instance_id = %(old)s AND v.id = o.visit_id AND v.organisation_id = %(org)s
          AND (%(any)s OR v.monitor_id = %(monitor)s)
          AND o.superseded_by IS NULL
        RETURNING o.visit_id, v.version, v.monitor_id""",
        {"old": old_instance, "new": new_instance, "org": organisation_id,
         "monitor": monitor_id, "any": any_monitor}).fetchone()


def mark_complete(session: Session, instance_id: str) -> None:
    db.driver(session).execute(
        "UPDATE submission_records SET complete = true WHERE instance_id = %s", (instance_id,))


# The "photo_time" flag of a visit, made again from the capture times of all its photos (and its
# incidents'): photos the camera says were taken more than the tolerance before the visit began
# or after it ended. A visit none of whose photos has a capture time is not touched.
_PHOTO_TIME = f"""
    WITH taken AS ({of_visit("a.filename, a.captured_at", "a.captured_at IS NOT NULL")}),
    outside AS (
        SELECT string_agg(t.filename || ' (' || replace(t.captured_at, 'T', ' ') || ')', ', '
                          ORDER BY t.filename) AS photos
        FROM taken t, visits v
        WHERE v.id = %(visit)s AND (
            CAST(t.captured_at AS timestamptz) < v.started_at - %(tolerance)s
            OR CAST(t.captured_at AS timestamptz) > v.ended_at + %(tolerance)s))
    UPDATE visits v SET flags = (
        SELECT coalesce(jsonb_agg(f), '[]'::jsonb) FROM jsonb_array_elements(v.flags) f
        WHERE f->>'code' <> 'photo_time')
        || CASE WHEN o.photos IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object(
               'code', 'photo_time',
               'reason', 'Taken more than ' || CAST(%(hours)s AS text) || ' h before or after '
                         || 'the visit, by the camera''s clock: ' || o.photos)) END
    FROM outside o
    WHERE v.id = %(visit)s AND EXISTS (SELECT 1 FROM taken)"""


def flag_photo_times(session: Session, visit_id: uuid.UUID, tolerance_hours: int) -> None:
    """Flag (never refuse) a visit whose photos were taken far from its time: recycled or
    mislabelled pictures are for the reviewer to judge. Capture times without a UTC offset
    are read as UTC; the tolerance covers the region's offsets."""
    db.driver(session).execute(_PHOTO_TIME, {"visit": visit_id, "hours": tolerance_hours,
                                             "tolerance": timedelta(hours=tolerance_hours)})


def assessment_for_update(session: Session, visit_id: uuid.UUID):
    """(organisation_id, dimensions, red_flags) of a visit, its row locked; None if absent."""
    return db.driver(session).cursor(row_factory=namedtuple_row).execute(
        "SELECT organisation_id, dimensions, red_flags FROM visits WHERE id = %s FOR UPDATE",
        (visit_id,)).fetchone()


def set_dimensions(session: Session, visit_id: uuid.UUID, dimensions: dict, ring: str,
                   now) -> None:
    db.driver(session).execute(
        "UPDATE visits SET dimensions = CAST(%s AS jsonb), ring = %s, updated_at = %s "
        "WHERE id = %s", (json.dumps(dimensions), ring, now, visit_id))
