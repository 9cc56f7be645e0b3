"""Whole exports, streamed in constant memory: GeoJSON (RFC 7946) and CSV with an HXL row.

Rows come from COPY, one line per incident, and leave in blocks of about 256 KB; nothing holds
more than one block, whatever the size of the table.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from sqlalchemy.orm import Session

from . import queries
from .policy import Filters, Shared

BLOCK = 256 * 1024
# The CSV columns and their HXL hashtags (https://hxlstandard.org). No #contact, no #respondee:
# nothing about a person is exported. Custom #x_ tags carry our own codes.
HXL = {
    "incident_id": "#event+id",
    "type": "#x_incident_type+code",
    "verification_status": "#x_verification+code",
    "occurred_on": "#date+occurred",
    "date_precision": "#x_date_precision+code",
    "lat": "#geo+lat",
    "lon": "#geo+lon",
    "country": "#country+code",
    "admin1": "#adm1+name",
    "facility_id": "#loc+id",
    "facility_name": "#loc+name",
    "location_precision": "#x_location_precision+code",
    "affected_women": "#affected+f+adults",
    "affected_men": "#affected+m+adults",
    "affected_girls": "#affected+f+children",
    "affected_boys": "#affected+m+children",
    "affected_unaccompanied": "#affected+children+unaccompanied",
    "affected_total": "#affected+total",
    "severity": "#severity",
    "perpetrator": "#x_perpetrator+code",
    # The state responsible (iran, pakistan, de_facto_authorities, other, unknown): HXL's #org
    # names an organisation, a government among them; +responsible says which role.
    "state_responsible": "#org+responsible+code",
    "source_type": "#x_source+code",
    "updated_at": "#date+updated",
}


@dataclass
class Counter:
    rows: int = 0


def _blocks(lines: Iterable[bytes], counter: Counter) -> Iterator[bytes]:
    buffer, size = [], 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= BLOCK:
            counter.rows += len(buffer)
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        counter.rows += len(buffer)
        yield b"".join(buffer)


def geojson(session: Session, shared: Shared, filters: Filters, counter: Counter,
            **members) -> Iterator[bytes]:
    """A FeatureCollection, one Feature per line."""
    head = "".join(f'"{k}":"{v}",' for k, v in members.items())
    yield ('{"type":"FeatureCollection",' + head + '"features":[\n').encode()
    separator = b""
    for block in _blocks(queries.copy_lines(session, shared, filters, "geojson"), counter):
        yield separator + block[:-1].replace(b"\n", b",\n")
        separator = b",\n"
    yield b"\n]}\n"


def csv_header(columns: list[str]) -> bytes:
    return (",".join(columns) + "\n" + ",".join(HXL[c] for c in columns) + "\n").encode()


def csv(session: Session, shared: Shared, filters: Filters, counter: Counter) -> Iterator[bytes]:
    """CSV: a header row, the HXL hashtag row, then one row per incident."""
    yield csv_header([name for name, _ in shared.csv_columns()])
    yield from _blocks(queries.copy_lines(session, shared, filters, "csv"), counter)
