"""Pages and streams of shared incidents. Every statement is built from a `policy.Shared`, so
the policy applies to all of them; this module only decides order, keysets and limits.

Statements run on the request's own connection through psycopg directly: the GeoJSON is text
made in SQL, and going through the ORM would only add work per row.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from sqlalchemy.orm import Session

from .policy import Filters, Shared

KEY = "i.updated_at, i.id"
# COPY in CSV format with a delimiter and quote that JSON text never contains unescaped:
# every row comes out byte for byte as SQL made it, one per line.
RAW_LINES = "FORMAT csv, DELIMITER E'\\x1f', QUOTE E'\\x1e'"


def driver_connection(session: Session):
    """The psycopg connection under the session, inside the session's transaction."""
    return session.connection().connection.driver_connection


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
    id, nothing else)."""
    visible = _where([shared.shareable(), *shared.matches(filters)])
    changed = shared.changed_since(since)
    conds = ([changed] if changed else []) + _keyset(shared, after)
    feature = f"CASE WHEN {visible} THEN {shared.feature()} ELSE {shared.TOMBSTONE} END"
    return _slice(session, shared, feature, visible, _where(conds), limit)


def _slice(session: Session, shared: Shared, feature: str, visible: str, where: str,
           limit: int) -> Slice:
    """Up to `limit` rows joined into one text in SQL (no per-row work in Python), and whether
    a row follows them."""
    n = int(limit)
    sql = (f"SELECT coalesce(string_agg(feature, ',' ORDER BY n) FILTER (WHERE n <= {n}), ''), "
           f"count(*) FILTER (WHERE n <= {n}), count(*) FILTER (WHERE n <= {n} AND NOT visible), "
           f"max(updated_at) FILTER (WHERE n = {n} AND total > {n}), "
           f"max(id::text) FILTER (WHERE n = {n} AND total > {n}) "
           f"FROM (SELECT *, count(*) OVER () AS total FROM ("
           f"SELECT row_number() OVER (ORDER BY {KEY}) AS n, i.updated_at, i.id, "
           f"{feature} AS feature, {visible} AS visible FROM {shared.source} WHERE {where} "
           f"ORDER BY {KEY} LIMIT {n + 1}) AS rows) AS page")
    with driver_connection(session).cursor() as cursor:
        # A page is small: starting parallel workers costs more than it saves.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        text, count, tombstones, last_at, last_id = cursor.execute(sql, shared.params).fetchone()
    return Slice(text, count, tombstones,
                 (last_at, uuid.UUID(last_id)) if last_id is not None else None)


def one(session: Session, shared: Shared, incident_id: uuid.UUID) -> str | None:
    sql = (f"SELECT {shared.feature()} FROM {shared.source} "
           f"WHERE i.id = {shared.bind(incident_id)} AND {shared.shareable()}")
    with driver_connection(session).cursor() as cursor:
        row = cursor.execute(sql, shared.params).fetchone()
    return row[0] if row else None


def copy_lines(session: Session, shared: Shared, filters: Filters, what: str) -> Iterator[bytes]:
    """Stream every shareable incident matching `filters` with COPY: one line per incident,
    either its GeoJSON Feature (`what="geojson"`) or its CSV row (`what="csv"`)."""
    conds = _where([shared.shareable(), *shared.matches(filters)])
    if what == "geojson":
        select, options = shared.feature(), RAW_LINES
    else:
        select, options = ", ".join(sql for _, sql in shared.csv_columns()), "FORMAT csv"
    sql = f"COPY (SELECT {select} FROM {shared.source} WHERE {conds}) TO STDOUT WITH ({options})"
    with driver_connection(session).cursor() as cursor:
        with cursor.copy(sql, shared.params) as copy:
            for data in copy:
                yield bytes(data)
