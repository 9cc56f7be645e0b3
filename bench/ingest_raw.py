"""The floor bench/ingest compares the app with: the same rows a submission makes, written by
a plain psycopg program (one INSERT per row, one transaction per submission, the audit entry
chained under the same head lock), at the same concurrency. Each row is a copy, under new ids,
of one the app wrote in the same run, so sizes and indexes touched are the same."""
from __future__ import annotations

import hashlib
import threading
import time
import uuid
from datetime import datetime, timezone

import psycopg
from psycopg.rows import dict_row

from server.core.audit import chain_hash, entry_fields

VISIT_COLUMNS = ("facility_id", "organisation_id", "monitor_id", "device_token_id", "source",
                 "form_id", "form_version", "started_at", "ended_at", "position_accuracy_m",
                 "distance_m", "access", "access_denied_reason", "held_women", "held_men",
                 "held_girls", "held_boys", "held_unaccompanied", "room_area_m2", "observations",
                 "scores", "dimensions", "red_flags", "returnees", "ring", "flags", "version")
INCIDENT_COLUMNS = ("organisation_id", "monitor_id", "facility_id", "type", "occurred_on",
                    "date_precision", "location_precision", "country", "admin1", "affected_women",
                    "affected_men", "affected_girls", "affected_boys", "affected_unaccompanied",
                    "profiles", "perpetrator", "state_responsible", "source_type", "consent",
                    "severity", "follow_up")
ATTACHMENT_COLUMNS = ("filename", "sha256", "media_type", "width", "height", "bytes",
                      "received_at")


def _insert(table: str, columns, extra: dict[str, str]) -> str:
    names = ["id"] + list(extra) + list(columns)
    values = ["%(id)s"] + list(extra.values()) + [f"%({c})s" for c in columns]
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(values)})"


SQL = {
    "visit": _insert("visits", VISIT_COLUMNS,
                     {"position": "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)"}),
    "notes": "INSERT INTO visit_sensitive (visit_id, notes) VALUES (%(id)s, %(notes)s)",
    "incident": _insert("incidents", INCIDENT_COLUMNS,
                        {"visit_id": "%(visit_id)s",
                         "location": "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)"}),
    "narrative": ("INSERT INTO incident_sensitive (incident_id, narrative) "
                  "VALUES (%(id)s, %(narrative)s)"),
    "attachment": _insert("attachments", ATTACHMENT_COLUMNS, {"visit_id": "%(visit_id)s"}),
    "record": ("INSERT INTO submission_records (instance_id, visit_id, version, body_sha256, "
               "body, source, complete) VALUES (%(id)s, %(visit_id)s, 1, %(body_sha256)s, "
               "%(body)s, %(source)s, true)"),
}


def templates(url: str, source: str) -> dict:
    """Rows the app wrote for one submission of `source` (openrosa / json)."""
    with psycopg.connect(url, row_factory=dict_row) as conn:
        visit = conn.execute(
            "SELECT v.*, ST_X(position) AS lon, ST_Y(position) AS lat, s.notes "
            "FROM visits v JOIN visit_sensitive s ON s.visit_id = v.id "
            "WHERE source = %s LIMIT 1", (source,)).fetchone()
        incidents = conn.execute(
            "SELECT i.*, ST_X(location) AS lon, ST_Y(location) AS lat, s.narrative "
            "FROM incidents i JOIN incident_sensitive s ON s.incident_id = i.id "
            "WHERE visit_id = %s", (visit["id"],)).fetchall()
        attachments = conn.execute("SELECT * FROM attachments WHERE visit_id = %s",
                                   (visit["id"],)).fetchall()
        record = conn.execute("SELECT * FROM submission_records WHERE visit_id = %s",
                              (visit["id"],)).fetchone()
        audit = conn.execute("SELECT * FROM audit_log WHERE action = 'visit.submit' AND "
                             "target_id = %s", (str(visit["id"]),)).fetchone()
    for row in [visit, *incidents]:
        for key in ("observations", "scores", "dimensions", "red_flags", "returnees", "flags",
                    "profiles"):
            if key in row:
                row[key] = psycopg.types.json.Jsonb(row[key])
    return {"visit": visit, "incidents": incidents, "attachments": attachments,
            "record": record, "audit": audit}


def _append_audit(conn: psycopg.Connection, template: dict, visit_id: uuid.UUID) -> None:
    head = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE").fetchone()
    row = dict(template, seq=head[0] + 1, occurred_at=datetime.now(timezone.utc),
               target_id=str(visit_id))
    digest = chain_hash(head[1], entry_fields(type("Row", (), row)))
    conn.execute(
        "INSERT INTO audit_log (seq, occurred_at, actor_kind, actor_id, organisation_id, "
        "action, target_type, target_id, details, prev_hash, hash) VALUES (%s, %s, %s, %s, "
        "%s, %s, %s, %s, %s, %s, %s)",
        (row["seq"], row["occurred_at"], row["actor_kind"], row["actor_id"],
         row["organisation_id"], row["action"], row["target_type"], row["target_id"],
         psycopg.types.json.Jsonb(row["details"]), head[1], digest))


def write_one(conn: psycopg.Connection, t: dict) -> None:
    """One submission's rows, in one transaction."""
    visit_id = uuid.uuid4()
    with conn.transaction():
        conn.execute(SQL["visit"], dict(t["visit"], id=visit_id))
        conn.execute(SQL["notes"], dict(t["visit"], id=visit_id))
        for incident in t["incidents"]:
            row = dict(incident, id=uuid.uuid4(), visit_id=visit_id)
            conn.execute(SQL["incident"], row)
            conn.execute(SQL["narrative"], row)
        for attachment in t["attachments"]:
            conn.execute(SQL["attachment"], dict(attachment, id=uuid.uuid4(), visit_id=visit_id))
        record = dict(t["record"], id=f"raw:{visit_id}", visit_id=visit_id)
        record["body_sha256"] = hashlib.sha256(record["body"] or b"").hexdigest()
        conn.execute(SQL["record"], record)
        _append_audit(conn, t["audit"], visit_id)


def run(url: str, source: str, n: int, clients: int, meter) -> tuple[float, dict]:
    """(seconds, CPU spent by `meter`) for n submissions on `clients` connections."""
    t = templates(url, source)
    share = [n // clients + (1 if i < n % clients else 0) for i in range(clients)]
    connections = [psycopg.connect(url) for _ in range(clients)]
    for conn in connections:
        conn.autocommit = True  # conn.transaction() makes each submission's transaction

    def work(conn, count):
        for _ in range(count):
            write_one(conn, t)
    threads = [threading.Thread(target=work, args=(c, k)) for c, k in zip(connections, share)]
    meter.start()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    cpu = meter.stop()  # before closing: the backends' CPU is read from their processes
    for conn in connections:
        conn.close()
    return seconds, cpu
