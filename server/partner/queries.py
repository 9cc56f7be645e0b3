"""Pages and streams of shared incidents. Every statement is built from a `policy.Shared`, so
the policy applies to all of them; this module only decides order, keysets and limits.

It is also the home of the delivery ledger (`partner_deliveries`): every statement that hands
incidents to a partner records them there, in the same statement, and a tombstone is handed
only to an organisation that holds the id (or was handed its tombstone since `since`, so that a
retried sync gets it again).

Statements run on the request's own connection through psycopg directly: the GeoJSON is text
made in SQL, and going through the ORM would only add work per row.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from psycopg.rows import dict_row
from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core.db import db
from .policy import Filters, Shared

KEY = "i.updated_at, i.id"
# COPY in CSV format with a delimiter and quote that JSON text never contains unescaped:
# every row comes out byte for byte as SQL made it, one per line.
RAW_LINES = "FORMAT csv, DELIMITER E'\\x1f', QUOTE E'\\x1e'"


def _keyset(shared: Shared, after: tuple[datetime, uuid.UUID] | None) -> list[str]:
    if after is None:
        return []
    return [f"({KEY}) > ({shared.bind(after[0])}::timestamptz, {shared.bind(after[1])}::uuid)"]


def _where(conds: list[str]) -> str:
    return " AND ".join(conds) if conds else "true"


@dataclass
class Slice:
    """One page, assembled in SQL: the features as comma-separated GeoJSON text."""
    features: str
    count: int
    tombstones: int
    last: tuple[datetime, uuid.UUID] | None  # keyset of the last feature, when more follow


def page(session: Session, shared: Shared, filters: Filters,
         after: tuple[datetime, uuid.UUID] | None, limit: int) -> Slice:
    """Shareable incidents matching `filters`, after the keyset `after`, in (updated_at, id)
    order.

    Everything this reads is in the partial covering index of migration 0006, so a page is an
    index-only scan: the many rows that do not match cost an index entry each, not a table row,
    and features are built for the page's rows only."""
    conds = [shared.shareable(), *shared.matches(filters), *_keyset(shared, after)]
    return _slice(session, shared, shared.feature(), "true", _where(conds), limit)


def changes(session: Session, shared: Shared, filters: Filters, since: datetime,
            after: tuple[datetime, uuid.UUID] | None, limit: int) -> Slice:
    """Everything a partner synced up to `since` must apply, in (updated_at, id) order. A row
    that is not shareable now, or no longer matches the partner's filters, is a tombstone (its
    id, nothing else) — for an organisation that holds it, and no other."""
    visible = _where([shared.shareable(), *shared.matches(filters)])
    changed = shared.changed_since(since)
    conds = ([changed] if changed else []) + _keyset(shared, after)
    conds.append(f"({visible} OR {_held(shared, since)})")
    feature = f"CASE WHEN {visible} THEN {shared.feature()} ELSE {shared.TOMBSTONE} END"
    return _slice(session, shared, feature, visible, _where(conds), limit)


def _held(shared: Shared, since: datetime) -> str:
    org = shared.bind(shared.policy.organisation_id)
    return (f"EXISTS (SELECT FROM partner_deliveries d WHERE d.organisation_id = {org} "
            f"AND d.incident_id = i.id AND (d.withdrawn_at IS NULL "
            f"OR d.withdrawn_at >= {shared.bind(since)}))")


def _hold(shared: Shared, ids: str) -> str:
    """The statement that records the incidents of `ids` (a SELECT of `id`) as held."""
    org, version = shared.bind(shared.policy.organisation_id), shared.bind(shared.policy.version)
    return (f"INSERT INTO partner_deliveries AS d (organisation_id, incident_id, policy_version) "
            f"SELECT {org}, id, {version} FROM ({ids}) AS handed "
            f"ON CONFLICT (organisation_id, incident_id) DO UPDATE SET delivered_at = now(), "
            f"policy_version = EXCLUDED.policy_version, withdrawn_at = NULL "
            f"WHERE d.withdrawn_at IS NOT NULL OR d.policy_version <> EXCLUDED.policy_version")


def _record(shared: Shared, rows: str) -> str:
    """CTEs that record in the ledger what `rows` (id, visible) hands out: held from now on,
    or withdrawn by the tombstone."""
    org = shared.bind(shared.policy.organisation_id)
    return (f"delivered AS ({_hold(shared, f'SELECT id FROM {rows} WHERE visible')}), "
            f"withdrawn AS (UPDATE partner_deliveries d SET withdrawn_at = now() FROM {rows} "
            f"WHERE NOT {rows}.visible AND d.organisation_id = {org} "
            f"AND d.incident_id = {rows}.id AND d.withdrawn_at IS NULL)")


def holders(session: Session, incident_id: uuid.UUID, *, after=None,
            limit: int | None = None) -> list[dict]:
    """The partner organisations that hold an incident now (for a consent withdrawal), by name;
    `after`: the last row's (name, organisation_id) of the previous page."""
    where, params = "", {"id": incident_id, "l": limit}
    if after:
        where = " AND (o.name, o.id) > (%(name)s, %(after)s)"
        params.update(name=after[0], after=after[1])
    sql = ("SELECT o.id AS organisation_id, o.name, d.policy_version, d.delivered_at "
           "FROM partner_deliveries d JOIN organisations o ON o.id = d.organisation_id "
           f"WHERE d.incident_id = %(id)s AND d.withdrawn_at IS NULL{where} ORDER BY o.name, o.id"
           + (" LIMIT %(l)s" if limit else ""))
    with db.driver(session).cursor(row_factory=dict_row) as cursor:
        return cursor.execute(sql, params).fetchall()


def _slice(session: Session, shared: Shared, feature: str, visible: str, where: str,
           limit: int) -> Slice:
    """Up to `limit` rows joined into one text in SQL (no per-row work in Python), and whether
    a row follows them."""
    n = int(limit)
    sql = (f"WITH page AS (SELECT *, count(*) OVER () AS total FROM ("
           f"SELECT row_number() OVER (ORDER BY {KEY}) AS n, i.updated_at, i.id, "
           f"{feature} AS feature, {visible} AS visible FROM {shared.source} WHERE {where} "
           f"ORDER BY {KEY} LIMIT {n + 1}) AS rows), "
           f"handed AS (SELECT id, visible FROM page WHERE n <= {n}), "
           f"{_record(shared, 'handed')} "
           f"SELECT coalesce(string_agg(feature, ',' ORDER BY n) FILTER (WHERE n <= {n}), ''), "
           f"count(*) FILTER (WHERE n <= {n}), count(*) FILTER (WHERE n <= {n} AND NOT visible), "
           f"max(updated_at) FILTER (WHERE n = {n} AND total > {n}), "
           f"max(id::text) FILTER (WHERE n = {n} AND total > {n}) FROM page")
    with db.driver(session).cursor() as cursor:
        # A page is small: starting parallel workers costs more than it saves.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        text, count, tombstones, last_at, last_id = cursor.execute(sql, shared.params).fetchone()
    return Slice(text, count, tombstones,
                 (last_at, uuid.UUID(last_id)) if last_id is not None else None)


def one(session: Session, shared: Shared, incident_id: uuid.UUID) -> str | None:
    sql = (f"WITH handed AS (SELECT i.id, true AS visible, {shared.feature()} AS feature "
           f"FROM {shared.source} WHERE i.id = {shared.bind(incident_id)} "
           f"AND {shared.shareable()}), {_record(shared, 'handed')} SELECT feature FROM handed")
    with db.driver(session).cursor() as cursor:
        row = cursor.execute(sql, shared.params).fetchone()
    return row[0] if row else None


def record_export(session: Session, shared: Shared, filters: Filters) -> None:
    """Record in the ledger everything an export of `filters` is about to stream (before the
    transaction that audits its start commits; the stream itself may be cut short)."""
    conds = _where([shared.shareable(), *shared.matches(filters)])
    sql = _hold(shared, f"SELECT i.id FROM {shared.source} WHERE {conds}")
    with db.driver(session).cursor() as cursor:
        cursor.execute(sql, shared.params)


def copy_lines(session: Session, shared: Shared, filters: Filters, what: str) -> Iterator[bytes]:
    """Stream every shareable incident matching `filters` with COPY: one line per incident,
    either its GeoJSON Feature (`what="geojson"`) or its CSV row (`what="csv"`)."""
    conds = _where([shared.shareable(), *shared.matches(filters)])
    if what == "geojson":
        select, options = shared.feature(), RAW_LINES
    else:
        select, options = ", ".join(sql for _, sql in shared.csv_columns()), "FORMAT csv"
    sql = f"COPY (SELECT {select} FROM {shared.source} WHERE {conds}) TO STDOUT WITH ({options})"
    with db.driver(session).cursor() as cursor:
        with cursor.copy(sql, shared.params) as copy:
            for data in copy:
                yield bytes(data)


# Generic cell rate algorithm: `tat` is when the key's bucket is empty again. A request is
# allowed while tat - now stays within one minute, i.e. `limit` requests at once at most, then
# one every 60/limit seconds. `refused` counts the refusals of the current burst; the first
# allowed request after it gets their number back as `reported`.
NEXT = "greatest(r.tat, (SELECT t FROM clock)) + make_interval(secs => :step)"
OVER = f"{NEXT} > (SELECT t FROM clock) + interval '60 seconds'"
RATE_SQL = text(f"""
WITH clock AS (SELECT clock_timestamp() AS t),
     -- losing a counter update in a crash is harmless; waiting for a disk flush is not free
     lazy AS (SELECT set_config('synchronous_commit', 'off', true) AS done)
INSERT INTO partner_rate_limits AS r (credential_id, tat, refused, reported)
SELECT :key, t + make_interval(secs => :step), 0, 0 FROM clock, lazy
ON CONFLICT (credential_id) DO UPDATE SET
    tat = CASE WHEN {OVER} THEN r.tat ELSE {NEXT} END,
    refused = CASE WHEN {OVER} THEN r.refused + 1 ELSE 0 END,
    reported = CASE WHEN {OVER} THEN 0 ELSE r.refused END
RETURNING r.refused, r.reported,
          extract(epoch FROM {NEXT} - (SELECT t FROM clock) - interval '60 seconds') AS wait
""")


def count_call(session: Session, credential_id: uuid.UUID, per_minute: int):
    """Count one call of a partner key: (refused, reported, wait) of its rate-limit row."""
    return session.execute(RATE_SQL, {"key": credential_id, "step": 60.0 / per_minute}).one()
