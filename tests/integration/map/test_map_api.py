"""The map's HTTP API: who may call it, what bad input gets, caps, points, heatmap, histogram."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from server.map import service

from .conftest import WORLD, add_incident, direct_count

URL = "/api/map/incidents"


@pytest.fixture()
def coordinator(signed_in_client):
    client, _ = signed_in_client("coordinator")
    return client


def test_only_coordinators(client, signed_in_client):
    assert client.get(f"{URL}?bbox={WORLD}&zoom=3").status_code == 401
    monitor, _ = signed_in_client("monitor")
    assert monitor.get(f"{URL}?bbox={WORLD}&zoom=3").status_code == 403
    admin, _ = signed_in_client("admin")
    assert admin.get(f"{URL}?bbox={WORLD}&zoom=3").status_code == 403


@pytest.mark.parametrize("query, field", [
    ("zoom=3", "bbox"),
    (f"bbox={WORLD}", "zoom"),
    ("bbox=1,2,3&zoom=3", "bbox"),
    ("bbox=a,b,c,d&zoom=3", "bbox"),
    ("bbox=10,0,5,1&zoom=3", "bbox"),
    ("bbox=0,-95,1,1&zoom=3", "bbox"),
    ("bbox=nan,0,1,1&zoom=3", "bbox"),
    (f"bbox={WORLD}&zoom=23", "zoom"),
    (f"bbox={WORLD}&zoom=-1", "zoom"),
    (f"bbox={WORLD}&zoom=three", "zoom"),
    (f"bbox={WORLD}&zoom=3&from=2024-13-01", "from"),
    (f"bbox={WORLD}&zoom=3&from=yesterday", "from"),
    (f"bbox={WORLD}&zoom=3&from=1066-10-14", "from"),
    (f"bbox={WORLD}&zoom=3&from=2024-05-01&to=2024-04-01", "to"),
    (f"bbox={WORLD}&zoom=3&type=teleportation", "type"),
    (f"bbox={WORLD}&zoom=3&type=sgbv,,death", "type"),
    (f"bbox={WORLD}&zoom=3&severity=0", "severity"),
    (f"bbox={WORLD}&zoom=3&status=approved", "status"),
    (f"bbox={WORLD}&zoom=3&organisation=not-a-uuid", "organisation"),
    (f"bbox={WORLD}&zoom=3&country=Afghanistan", "country"),
    (f"bbox={WORLD}&zoom=3&facility=42", "facility"),
    (f"bbox={WORLD}&zoom=3&mode=tiles", "mode"),
    (f"bbox={WORLD}&zoom=3&colour=red", "colour"),
])
def test_bad_values_get_a_problem_naming_the_field(coordinator, query, field):
    response = coordinator.get(f"{URL}?{query}")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_cells_over_http_add_up(coordinator, session, scattered):
    response = coordinator.get(f"{URL}?bbox=50,20,80,45&zoom=6&type=sgbv,pushback&status=verified")
    assert response.status_code == 200
    body = response.get_json()
    expected = direct_count(session, "type IN ('sgbv', 'pushback') AND "
                                     "verification_status = 'verified' AND "
                                     "location && ST_MakeEnvelope(50, 20, 80, 45, 4326)")
    assert body["mode"] == "cells" and body["level"] == 2 and body["cell_deg"] == 0.5
    assert sum(c[2] for c in body["cells"]) == body["total"] == expected
    assert response.headers["Cache-Control"] == "no-store"


def test_cells_are_capped_by_coarsening(coordinator, session, orgs):
    """A whole-world view at street zoom would be millions of cells: the level is coarsened
    until at most MAX_CELLS could come back."""
    for n in range(40):
        add_incident(session, orgs[0], -170 + n * 8.5, -60 + n * 3, date(2024, 1, 1))
    body = coordinator.get(f"{URL}?bbox={WORLD}&zoom=15&mode=cells").get_json()
    assert body["level"] < 5
    width = 360 / body["cell_deg"] + 1
    height = 180 / body["cell_deg"] + 1
    assert width * height <= service.MAX_CELLS
    assert body["total"] == 40


def test_points_when_few_and_zoomed_in(coordinator, session, orgs):
    other = add_incident(session, orgs[1], 69.171, 34.531, date(2024, 6, 1), type="sgbv",
                         severity=5, verification_status="verified")
    add_incident(session, orgs[0], 69.172, 34.532, date(2024, 6, 2))
    bbox = "69.1,34.5,69.25,34.56"
    body = coordinator.get(f"{URL}?bbox={bbox}&zoom=13").get_json()
    assert body["mode"] == "points" and body["total"] == 2
    features = body["points"]["features"]
    assert len(features) == 2
    mine = next(f for f in features if f["id"] == str(other.id))
    assert mine["geometry"]["coordinates"] == [69.171, 34.531]
    # the coalition view: nothing that names a monitor, an organisation or tells a story
    assert mine["properties"] == {"type": "sgbv", "severity": 5, "occurred_on": "2024-06-01",
                                  "status": "verified"}
    assert coordinator.get(f"{URL}?bbox={bbox}&zoom=9").get_json()["mode"] == "cells"
    assert coordinator.get(f"{URL}?bbox={bbox}&zoom=13&mode=cells").get_json()["mode"] == "cells"


def test_many_incidents_are_never_points(coordinator, session, orgs, monkeypatch):
    monkeypatch.setattr(service, "MAX_POINTS", 3)
    for n in range(4):
        add_incident(session, orgs[0], 69.17, 34.53, date(2024, 6, n + 1))
    body = coordinator.get(f"{URL}?bbox=69.1,34.5,69.25,34.56&zoom=14").get_json()
    assert body["mode"] == "cells" and body["cells"] == [[69.167969, 34.527344, 4]]  # the cell centre


def test_heatmap_weights(coordinator, session, scattered):
    body = coordinator.get(f"{URL}?bbox={WORLD}&zoom=5&mode=heatmap").get_json()
    assert body["mode"] == "heatmap"
    assert sum(h[2] for h in body["heat"]) == body["total"] == 300
    assert body["max"] == max(h[2] for h in body["heat"])
    lat, lon, _ = max(body["heat"], key=lambda h: h[2])
    assert 30 < lat < 40 and 60 < lon < 75  # [lat, lon, weight], as heatmap layers read it


def test_every_mode_answers_as_documented(coordinator, session, orgs, scattered):
    """Cells, points and heatmap weights, each validated against the OpenAPI document."""
    from openapi_schema_validator import OAS30Validator
    add_incident(session, orgs[0], 69.172, 34.532, date(2024, 6, 2))
    spec = coordinator.get("/api/openapi.json").get_json()
    schema = spec["paths"][URL]["get"]["responses"]["200"]["content"]["application/json"]
    validator = OAS30Validator({**schema["schema"], "components": spec["components"]})
    modes = set()
    for query in (f"bbox={WORLD}&zoom=3", "bbox=69.1,34.5,69.25,34.56&zoom=13",
                  f"bbox={WORLD}&zoom=5&mode=heatmap"):
        body = coordinator.get(f"{URL}?{query}").get_json()
        validator.validate(body)
        modes.add(body["mode"])
    assert modes == {"cells", "points", "heatmap"}
    with pytest.raises(Exception):  # the schema says something: a wrong shape fails it
        validator.validate({"mode": "cells", "zoom": 3, "level": 1, "cell_deg": 1.0,
                            "bbox": [0, 0, 1, 1], "total": 1, "cells": [[1, 2]]})


def test_histogram_sums_to_the_filtered_total(coordinator, session, scattered):
    for interval in ("day", "week", "month"):
        body = coordinator.get(f"/api/map/histogram?interval={interval}&type=sgbv"
                               f"&from=2023-02-10&to=2024-07-20").get_json()
        expected = direct_count(session, "type = 'sgbv' AND occurred_on BETWEEN "
                                         "'2023-02-10' AND '2024-07-20'")
        assert body["total"] == sum(b[1] for b in body["buckets"]) == expected
        starts = [date.fromisoformat(b[0]) for b in body["buckets"]]
        assert starts == sorted(starts)
    weeks = coordinator.get("/api/map/histogram?interval=week").get_json()["buckets"]
    assert all(date.fromisoformat(b[0]).weekday() == 0 for b in weeks)
    months = coordinator.get("/api/map/histogram").get_json()
    assert months["interval"] == "month" and months["total"] == 300
    assert all(b[0].endswith("-01") for b in months["buckets"])


def test_histogram_by_facility_and_bad_interval(coordinator, session, orgs):
    from tests import factories
    fac = factories.facility(session)
    start = date(2024, 1, 30)
    for n in range(3):
        add_incident(session, orgs[0], 71.0, 34.1, start + timedelta(days=n), facility_id=fac.id)
    body = coordinator.get(f"/api/map/histogram?interval=month&facility={fac.id}").get_json()
    assert body["buckets"] == [["2024-01-01", 2], ["2024-02-01", 1]]
    assert coordinator.get("/api/map/histogram?interval=hour").status_code == 422


def test_histogram_by_solar_hijri_month(coordinator, session, scattered):
    """interval=solar_month: each bucket is a Solar Hijri month, named by the Gregorian day it
    begins on (1 Hamal, 1 Sawr ...); the same incidents as by Gregorian month."""
    from server.core.calendars import SOLAR_HIJRI, parts
    body = coordinator.get("/api/map/histogram?interval=solar_month").get_json()
    assert body["interval"] == "solar_month" and body["total"] == 300
    assert sum(b[1] for b in body["buckets"]) == 300
    assert all(parts(date.fromisoformat(b[0]), SOLAR_HIJRI)[2] == 1 for b in body["buckets"])
    gregorian = coordinator.get("/api/map/histogram?interval=month").get_json()["buckets"]
    assert [b[0] for b in body["buckets"]] != [b[0] for b in gregorian]
    one = coordinator.get("/api/map/histogram?interval=solar_month&from=2024-03-20"
                          "&to=2024-04-19").get_json()  # Hamal 1403, whole
    expected = direct_count(session, "occurred_on BETWEEN '2024-03-20' AND '2024-04-19'")
    assert one["buckets"] == ([["2024-03-20", expected]] if expected else [])
