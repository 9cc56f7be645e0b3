"""The layout of facilities.csv, the media file the visit form chooses the facility from.

ODK Collect turns each CSV column into an XML element name, so headers must be plain names:
`label::Dari (prs)`-style headers make Collect refuse to download the form (getodk/collect#4266).
The form shows `label` whatever the interface language, so `label` carries the English name and
the Dari name together; `label_prs` / `label_ps` are there for our own mobile web app. `kind`
(the registry's facility kind) decides which indicator questions the form asks. Extra columns
are harmless to Collect and Enketo.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

FILENAME = "facilities.csv"
COLUMNS = ("name", "label", "label_prs", "label_ps", "kind", "country", "lat", "lon")


def facility_label(name: str, name_prs: str | None) -> str:
    """"Islam Qala · اسلام قلعه": findable by typing either script."""
    return f"{name} · {name_prs}" if name_prs and name_prs != name else name


def facilities_csv(rows: Iterable[Mapping]) -> bytes:
    """facilities.csv from registry rows with keys id, name, name_prs, name_pus, kind, country,
    lat, lon. Rows are sorted by name then id, so the same registry gives the same bytes (and
    the same md5 in the manifest)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in sorted(rows, key=lambda r: (r["name"], str(r["id"]))):
        writer.writerow([
            str(row["id"]), facility_label(row["name"], row.get("name_prs")),
            row.get("name_prs") or row["name"],
            row.get("name_pus") or row.get("name_prs") or row["name"],
            row["kind"], row.get("country") or "",
            _coordinate(row.get("lat")), _coordinate(row.get("lon"))])
    return out.getvalue().encode("utf-8")


def _coordinate(value) -> str:
    return "" if value is None else f"{float(value):.6f}"
