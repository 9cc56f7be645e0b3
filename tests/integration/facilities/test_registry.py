"""The facility registry API: CRUD, filters, keyset pages, and bad input refused cleanly."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from tests import factories

TORKHAM = {"kind": "border_crossing", "name": "Torkham", "country": "AFG", "admin1": "Nangarhar",
           "local_names": {"prs": "تورخم", "pus": "تورخم"},
           "location": {"type": "Point", "coordinates": [71.08472, 34.11472]},
           "location_precision": "crossing (arc-second)", "capacity": 210,
           "authority": "Afghan border police"}


@pytest.fixture()
def coordinator(signed_in_client):
    client, _ = signed_in_client("coordinator")
    return client


def counts(session) -> tuple[int, int]:
    return (session.execute(text("SELECT count(*) FROM facilities")).scalar(),
            session.execute(text("SELECT count(*) FROM audit_log")).scalar())


def test_create_read_update_close(coordinator, session):
    created = coordinator.post("/api/facilities", json=TORKHAM)
    assert created.status_code == 201, created.get_json()
    feature = created.get_json()
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [71.08472, 34.11472]}
    assert feature["properties"]["local_names"] == {"prs": "تورخم", "pus": "تورخم"}
    url = created.headers["Location"]
    assert coordinator.get(url).get_json()["properties"]["capacity"] == 210

    updated = coordinator.patch(url, json={"capacity": 500, "admin1": "Nangarhar province"})
    assert updated.status_code == 200
    assert updated.get_json()["properties"]["capacity"] == 500
    assert updated.get_json()["properties"]["name"] == "Torkham"

    closed = coordinator.post(url + "/close", json={"reason": "Crossing sealed"})
    assert closed.get_json()["properties"]["status"] == "closed"
    assert closed.get_json()["properties"]["closed_reason"] == "Crossing sealed"
    again = coordinator.post(url + "/close", json={"reason": "Again"})
    assert again.status_code == 409
    actions = session.execute(text(
        "SELECT action FROM audit_log WHERE target_id = :id ORDER BY seq"),
        {"id": feature["id"]}).scalars().all()
    assert actions == ["facility.create", "facility.update", "facility.close"]


def test_monitors_read_but_do_not_write(signed_in_client, session):
    factories.facility(session, name="Islam Qala")
    monitor, _ = signed_in_client("monitor")
    assert monitor.get("/api/facilities").status_code == 200
    refused = monitor.post("/api/facilities", json=TORKHAM)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


def test_bbox_filter_includes_its_edges(coordinator, session):
    factories.facility(session, lon=61.0, lat=34.0, name="On the corner")
    factories.facility(session, lon=61.5, lat=35.0, name="On the top edge")
    factories.facility(session, lon=60.9999, lat=34.5, name="Just outside")

    def names(bbox):
        body = coordinator.get(f"/api/facilities?bbox={bbox}").get_json()
        return sorted(f["properties"]["name"] for f in body["features"])
    assert names("61,34,62,35") == ["On the corner", "On the top edge"]
    assert names("61.0001,34,62,35") == ["On the top edge"]
    assert names("60,30,70,40") == ["Just outside", "On the corner", "On the top edge"]


def test_keyset_pages_stay_stable_while_rows_are_inserted(coordinator, session):
    original = {str(factories.facility(session, name=f"M facility {i}").id) for i in range(7)}
    seen, url = [], "/api/facilities?limit=3"
    inserted = 0
    while url:
        body = coordinator.get(url).get_json()
        seen += [f["id"] for f in body["features"]]
        # rows sorting before and after the current position arrive between requests
        factories.facility(session, name=f"A new {inserted}")
        factories.facility(session, name=f"Z new {inserted}")
        inserted += 1
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    originals_seen = [i for i in seen if i in original]
    assert sorted(originals_seen) == sorted(original)  # each exactly once, none skipped
    assert len(seen) == len(set(seen))


def test_q_finds_dari_and_english_names(coordinator, session):
    factories.facility(session, name="Islam Qala", name_prs="اسلام قلعه")
    factories.facility(session, name="Torkham", name_prs="تورخم")

    def names(q):
        body = coordinator.get("/api/facilities", query_string={"q": q}).get_json()
        return [f["properties"]["name"] for f in body["features"]]
    assert names("قلعه") == ["Islam Qala"]
    assert names("torkham") == ["Torkham"]
    assert names("100%") == []


def test_filters_by_kind_country_status(coordinator, session):
    factories.facility(session, name="Camp", kind="camp", country="PAK")
    factories.facility(session, name="Crossing", kind="border_crossing", country="AFG")
    factories.facility(session, name="Closed", kind="camp", country="PAK", status="closed")
    body = coordinator.get("/api/facilities?kind=camp&country=PAK&status=open").get_json()
    assert [f["properties"]["name"] for f in body["features"]] == ["Camp"]


POLYGON_BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
BAD_BODIES = {
    "missing fields": ({"name": "X"}, "kind"),
    "unknown kind": ({**TORKHAM, "kind": "spaceport"}, "kind"),
    "latitude 91": ({**TORKHAM, "location": {"type": "Point", "coordinates": [70, 91]}},
                    "Latitude"),
    "longitude -181": ({**TORKHAM, "location": {"type": "Point", "coordinates": [-181, 30]}},
                       "Longitude"),
    "self-intersecting footprint": ({**TORKHAM, "footprint": POLYGON_BOWTIE}, "Self-intersection"),
    "point where a polygon belongs": ({**TORKHAM, "footprint": TORKHAM["location"]}, "Polygon"),
    "empty name": ({**TORKHAM, "name": "   "}, "empty"),
    "10 kB name": ({**TORKHAM, "name": "x" * 10_000}, "name"),
    "unknown country": ({**TORKHAM, "country": "XYZ"}, "ISO 3166"),
    "unknown field": ({**TORKHAM, "secret": 1}, "secret"),
    "capacity as text": ({**TORKHAM, "capacity": "many"}, "capacity"),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_bodies_get_problem_json_and_change_nothing(coordinator, session, case):
    body, mentioned = BAD_BODIES[case]
    before = counts(session)
    response = coordinator.post("/api/facilities", json=body)
    assert 400 <= response.status_code < 500
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == response.status_code and problem["title"]
    assert mentioned in problem["detail"], problem
    assert counts(session) == before


def test_non_json_body_is_refused(coordinator, session):
    before = counts(session)
    r = coordinator.post("/api/facilities", data="kind=camp",
                         content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415 and "application/json" in r.get_json()["detail"]
    r = coordinator.post("/api/facilities", data="{not json", content_type="application/json")
    assert r.status_code == 400 and "JSON" in r.get_json()["detail"]
    assert counts(session) == before


@pytest.mark.parametrize("query,mentioned", [
    ("kind=spaceport", "kind"), ("status=maybe", "status"), ("country=ZZZ", "country"),
    ("bbox=1,2,3", "bbox"), ("bbox=10,10,5,5", "bbox"), ("bbox=0,-91,1,1", "latitudes"),
    ("limit=0", "limit"), ("limit=5000", "limit"), ("cursor=garbage", "cursor"),
    ("colour=red", "colour")])
def test_bad_query_values_get_problem_json(coordinator, query, mentioned):
    response = coordinator.get(f"/api/facilities?{query}")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert mentioned in response.get_json()["detail"]


def test_unknown_facility_is_404(coordinator):
    r = coordinator.get("/api/facilities/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
