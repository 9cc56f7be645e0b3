"""OGC API – Features: the documents clients discover, paging, single features, and the real
clients — GDAL's OAPIF driver (ogr2ogr) and OWSLib — against the app on 127.0.0.1."""
from __future__ import annotations

import json
import subprocess

import pytest
from openapi_spec_validator import validate
from owslib.ogcapi.features import Features
from owslib.util import Authentication

from server.ogcapi.core import CONFORMANCE
from tests import factories
from tests.integration.partner import helpers
from tests.integration.partner.conftest import committed


def test_landing_conformance_and_definition_are_public(client):
    landing = client.get("/ogc")
    assert landing.status_code == 200
    rels = {link["rel"]: link["href"] for link in landing.get_json()["links"]}
    assert rels["conformance"] == "http://localhost/ogc/conformance"
    assert rels["data"] == "http://localhost/ogc/collections"
    assert rels["service-desc"] == "http://localhost/ogc/api"
    assert client.get("/ogc/conformance").get_json()["conformsTo"] == CONFORMANCE
    definition = client.get("/ogc/api")
    assert definition.mimetype == "application/vnd.oai.openapi+json"
    document = definition.get_json()
    validate(document)  # raises when the OpenAPI 3.0 document is not valid
    assert {"/collections/incidents/items", "/collections/facilities/items/{featureId}"} <= \
        set(document["paths"])


def test_collections_follow_the_scopes_of_the_key(client, session):
    _, headers = helpers.partner(session, scopes=("incidents:read", "facilities:read"))
    body = client.get("/ogc/collections", headers=headers).get_json()
    incidents = next(c for c in body["collections"] if c["id"] == "incidents")
    assert incidents["itemType"] == "feature"
    assert incidents["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]
    assert any(link["rel"] == "items" for link in incidents["links"])
    assert client.get("/ogc/collections/nothing", headers=headers).status_code == 404


def test_items_page_through_next_links_and_bbox_applies_to_shared_places(client, session):
    org, headers = helpers.partner(session, location_precision="grid", grid_km=50)
    made = [helpers.incident(session, lon=70.01 + i * 0.01, lat=34.01) for i in range(5)]
    first = client.get("/ogc/collections/incidents/items?limit=2", headers=headers).get_json()
    assert first["numberReturned"] == 2 and "numberMatched" not in first
    everything = helpers.follow(client, "/ogc/collections/incidents/items?limit=2", headers)[0]
    assert sorted(f["id"] for f in everything) == sorted(str(m.id) for m in made)
    centre = everything[0]["geometry"]["coordinates"]  # all five share one 50-km cell
    assert all(f["geometry"]["coordinates"] == centre for f in everything)
    # A box around the true positions but away from the cell centre finds nothing.
    tight = "70.0,34.0,70.06,34.02"
    assert not (69.99 < centre[0] < 70.06 and 34.0 < centre[1] < 34.02)
    assert helpers.ogc_items(client, headers, bbox=tight) == []
    box = f"{centre[0] - 0.01},{centre[1] - 0.01},{centre[0] + 0.01},{centre[1] + 0.01}"
    assert len(helpers.ogc_items(client, headers, bbox=box)) == 5


def test_single_item_and_what_is_not_shared(client, session):
    _, headers = helpers.partner(session, location_precision="exact")
    shared = helpers.incident(session)
    hidden = helpers.incident(session, consent="internal_only")
    one = client.get(f"/ogc/collections/incidents/items/{shared.id}", headers=headers)
    assert one.status_code == 200 and one.get_json()["id"] == str(shared.id)
    assert one.mimetype == "application/geo+json"
    for missing in (hidden.id, "not-a-uuid"):
        assert client.get(f"/ogc/collections/incidents/items/{missing}",
                          headers=headers).status_code == 404


def test_facilities_collection(client, session):
    fac = factories.facility(session, name="Islam Qala", lon=61.07, lat=34.66)
    _, headers = helpers.partner(session, scopes=("facilities:read",))
    features = helpers.ogc_items(client, headers, "facilities", bbox="61,34,62,35")
    assert [f["properties"]["name"] for f in features] == ["Islam Qala"]
    one = client.get(f"/ogc/collections/facilities/items/{fac.id}", headers=headers)
    assert one.get_json()["geometry"]["coordinates"] == [61.07, 34.66]


@pytest.fixture()
def published(live_server, app_config):
    """Seven shareable incidents, one that is not, and a key, committed for the live server."""
    with committed(app_config["DATABASE_URL"]) as session:
        org, headers = helpers.partner(session, location_precision="exact")
        for i in range(7):
            helpers.incident(session, lon=70 + i / 10, lat=34.5)
        helpers.incident(session, verification_status="submitted")
        key = headers["Authorization"].split()[1]
    return live_server.config["LIVE_URL"], key, headers


def test_gdal_reads_every_feature_through_the_next_links(published, tmp_path):
    url, key, headers = published
    out = tmp_path / "incidents.geojson"
    run = subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", str(out), f"OAPIF:{url}/ogc", "incidents",
         "-oo", "PAGE_SIZE=3", "--config", "GDAL_HTTP_AUTH", "BASIC",
         "--config", "GDAL_HTTP_USERPWD", f"partner:{key}", "--debug", "ON"],
        capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    features = json.loads(out.read_text())["features"]
    feed = helpers_feed_count(url, headers)
    assert len(features) == feed == 7
    assert run.stderr.count("cursor=") >= 2  # it did follow the next links
    info = subprocess.run(["ogrinfo", "-ro", "-so", f"OAPIF:{url}/ogc", "incidents",
                           "--config", "GDAL_HTTP_AUTH", "BASIC",
                           "--config", "GDAL_HTTP_USERPWD", f"partner:{key}"],
                          capture_output=True, text=True, timeout=120)
    assert "Feature Count: 7" in info.stdout, info.stdout + info.stderr


def helpers_feed_count(url: str, headers: dict) -> int:
    import requests
    body = requests.get(url + "/api/partner/v1/incidents", headers=headers, timeout=30).json()
    return body["numberReturned"]


def test_owslib_reads_a_page(published):
    url, key, _ = published
    api = Features(url + "/ogc", auth=Authentication(username="partner", password=key))
    assert {c["id"] for c in api.collections()["collections"]} == {"incidents", "facilities"}
    page = api.collection_items("incidents", limit=4)
    assert page["numberReturned"] == 4 and len(page["features"]) == 4
    assert any(link["rel"] == "next" for link in page["links"])
