"""GET /api/map/export: the map's view as CSV or GeoJSON; the caller's organisation in full,
others in the coalition view, never narratives; audited with the filters and row count."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import text

from .conftest import DAY, add_incident, assert_problem


@pytest.fixture()
def view(session, coalition):
    """Three of ours and two of theirs in Afghanistan, one of ours in Pakistan's north."""
    ours = [add_incident(session, coalition.own, 69.17 + n / 100, 34.53, narrative="Named: X",
                         profiles={"journalist": 1}, review_comment="=HYPERLINK(evil)",
                         affected={"women": n}) for n in range(3)]
    theirs = [add_incident(session, coalition.other, 62.2, 34.35, type="death", severity=5,
                           review_comment="their note", profiles={"lawyer": 1},
                           admin1="-Herat") for _ in range(2)]
    far = add_incident(session, coalition.own, 73.0, 35.9, country="PAK")
    add_incident(session, coalition.own, 69.2, 34.5, duplicate_of=ours[0].id)  # counted once
    return ours, theirs, far


def export(client, query: str):
    response = client.get(f"/api/map/export?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_csv_of_a_view_in_full_for_ours_and_coalition_for_theirs(session, coalition, view):
    ours, theirs, _ = view
    response = export(coalition.coordinator, "format=csv&bbox=60,29,72,37")
    assert response.mimetype == "text/csv" and response.headers["X-Nezarat-Rows"] == "5"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = {row["id"]: row for row in rows_of(response)}
    assert set(rows) == {str(i.id) for i in ours + theirs}
    mine, other = rows[str(ours[0].id)], rows[str(theirs[0].id)]
    assert mine["view"] == "full" and mine["profiles"] == '{"journalist": 1}'
    assert mine["review_comment"] == "'=HYPERLINK(evil)"  # not a formula in a spreadsheet
    assert mine["merged_reports"] == "1"
    assert (other["view"], other["profiles"], other["review_comment"]) == ("coalition", "", "")
    assert other["admin1"] == "'-Herat" and other["type"] == "death"
    assert (other["longitude"], other["latitude"]) == ("62.200000", "34.350000")
    body = response.get_data(as_text=True)
    assert "narrative" not in body and "Named: X" not in body


def test_geojson_with_filters_and_its_audit_entry(session, coalition, view):
    ours, theirs, _ = view
    response = export(coalition.coordinator,
                      f"format=geojson&type=death&from={DAY}&to={DAY}&country=AFG")
    assert response.mimetype == "application/geo+json"
    collection = response.get_json()
    assert collection["type"] == "FeatureCollection"
    assert {f["id"] for f in collection["features"]} == {str(i.id) for i in theirs}
    feature = collection["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [62.2, 34.35]}
    assert feature["properties"]["view"] == "coalition"
    assert feature["properties"]["profiles"] is None
    [entry] = session.execute(text(
        "SELECT details, organisation_id FROM audit_log WHERE action = 'export'")).all()
    assert entry.organisation_id == coalition.own.id
    assert entry.details == {
        "format": "geojson", "rows": 2, "full_rows": 0, "coalition_rows": 2,
        "filters": {"types": ["death"], "countries": ["AFG"], "start": str(DAY),
                    "end": str(DAY)}}


def test_an_empty_view_is_a_valid_file(coalition):
    assert rows_of(export(coalition.coordinator, "format=csv&type=sgbv")) == []
    empty = export(coalition.coordinator, "format=geojson&bbox=0,0,1,1").get_json()
    assert empty == {"type": "FeatureCollection", "features": []}


def test_whole_map_by_default(coalition, view):
    assert len(rows_of(export(coalition.coordinator, "format=csv"))) == 6


def test_only_coordinators_export(client, coalition):
    assert_problem(client.get("/api/map/export?format=csv"), 401)
    assert_problem(coalition.monitor.get("/api/map/export?format=csv"), 403)


@pytest.mark.parametrize("query, field", [
    ("", "format"), ("format=xlsx", "format"), ("format=csv&bbox=1,2,3", "bbox"),
    ("format=csv&bbox=10,0,5,1", "bbox"), ("format=csv&from=2025-13-01", "from"),
    ("format=csv&from=2025-02-01&to=2025-01-01", "to"), ("format=csv&type=riot", "type"),
    ("format=csv&severity=9", "severity"), ("format=csv&organisation=abc", "organisation"),
    ("format=csv&narrative=1", "narrative")])
def test_bad_parameters(coalition, query, field):
    assert_problem(coalition.coordinator.get(f"/api/map/export?{query}"), 422, field)


def test_both_files_are_what_the_openapi_document_says(client, coalition, view):
    """The document gave the export's 200 no media type; now each file matches its own."""
    from openapi_schema_validator import OAS30Validator
    spec = client.get("/api/openapi.json").get_json()
    content = spec["paths"]["/api/map/export"]["get"]["responses"]["200"]["content"]
    geojson = export(coalition.coordinator, "format=geojson&bbox=60,29,75,37")
    assert geojson.mimetype in content
    collection = geojson.get_json()
    assert {f["properties"]["view"] for f in collection["features"]} == {"full", "coalition"}
    OAS30Validator({**content[geojson.mimetype]["schema"],
                    "components": spec["components"]}).validate(collection)
    table = export(coalition.coordinator, "format=csv")
    assert table.mimetype in content
    header = table.get_data(as_text=True).splitlines()[0]
    assert header == content["text/csv"]["example"].strip()
