"""The map workspace in headless Chromium: the offline base map draws Afghanistan, Iran and
Pakistan, the facilities appear with their icons, nothing is fetched from anywhere but our own
server, and the Content-Security-Policy holds."""
from __future__ import annotations

import json

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from server.core.db import db
from tests import factories
from tests.browser.conftest import csp_violations, sign_in

pytestmark = pytest.mark.browser

# name, kind, lon, lat, status, country
FACILITIES = [
    ("Torkham", "border_crossing", 71.0847, 34.1147, "open", "AFG"),
    ("Islam Qala", "border_crossing", 61.0667, 34.6667, "open", "AFG"),
    ("Herat reception", "reception_centre", 62.2, 34.35, "open", "AFG"),
    ("Mashhad holding", "detention_centre", 59.6, 36.3, "open", "IRN"),
    ("Old camp", "camp", 66.99, 30.2, "closed", "PAK"),
]


@pytest.fixture()
def facilities(live_server):
    with live_server.app_context():
        for name, kind, lon, lat, status, country in FACILITIES:
            factories.facility(db.session, name=name, kind=kind, status=status, country=country,
                               admin1=None, location=from_shape(Point(lon, lat), srid=4326))
        db.session.commit()
    return FACILITIES


def open_map(page, live_server, coordinator):
    base = live_server.config["LIVE_URL"]
    # Coordinators load the facilities layer of the map API (/api/map/facilities).
    layer = (base + "/api/facilities", base + "/api/map/facilities?")
    with page.expect_response(lambda r: r.url.startswith(layer)) as answer:
        sign_in(page, base, coordinator, "/map")
    page.wait_for_selector("#nz-map[data-ready=true]", timeout=20_000)
    return answer.value.json()


def count(page, selector: str) -> int:
    return page.evaluate("s => document.querySelectorAll(s).length", selector)


def test_offline_base_map_and_facilities(page, live_server, coordinator, facilities, artifacts):
    received = open_map(page, live_server, coordinator)
    assert sorted(f["properties"]["name"] for f in received["features"]) == sorted(
        f[0] for f in FACILITIES)

    # The base layer drew the provinces (outline and land fill) and borders of the three.
    assert count(page, "path.nz-admin1-AFG") == 34
    assert count(page, "path.nz-admin1-IRN") == 31
    assert count(page, "path.nz-admin1-PAK") == 8
    assert count(page, "path.nz-land-AFG") == 34
    assert count(page, "path.nz-land-other") == 1
    for iso3 in ("AFG", "IRN", "PAK"):
        assert count(page, f"path.nz-border-{iso3}") == 1
    counts = json.loads(page.get_attribute("#nz-map", "data-counts"))
    assert counts == {"borders": 4, "admin1": 73, "towns": 134, "facilities": len(FACILITIES),
                      "truncated": False}
    # Capitals are labelled at the opening zoom.
    labels = page.locator(".nz-town-label").all_inner_texts()
    assert {"Kabul", "Tehran", "Islamabad"} <= set(labels)

    # Facilities: one marker each, with the icon of its kind, loaded from our server.
    assert count(page, ".nz-facility") == len(FACILITIES)
    assert count(page, ".nz-facility.nz-kind-border_crossing") == 2
    assert count(page, ".nz-facility.nz-kind-detention_centre") == 1
    assert count(page, ".nz-facility.nz-status-closed") == 1
    icons = page.evaluate("""Array.from(document.querySelectorAll('.nz-facility img'))
                             .map(i => [i.getAttribute('src'), i.complete && i.naturalWidth])""")
    assert sorted(src for src, _ in icons) == sorted(
        f"/static/img/facilities/{kind}.svg" for _, kind, *_ in FACILITIES)
    assert all(width > 0 for _, width in icons)
    # A marker's tooltip names it.
    page.hover(".nz-facility.nz-kind-detention_centre")
    assert "Mashhad holding" in page.locator(".nz-facility-label").inner_text()

    page.screenshot(path=str(artifacts / "map-basemap.png"))

    # Nothing left this machine, and the page ran within its CSP without errors.
    assert page.record.hosts() == {"127.0.0.1"}
    assert csp_violations(page) == []
    assert page.record.page_errors == []
    assert [f for f in page.record.failed if not f[1].endswith("/favicon.ico")] == []
    # (HTTP errors are checked just above, by URL; any other console error fails the test.)
    assert [e for e in page.record.console_errors
            if not e.startswith("Failed to load resource")] == []


def test_tile_layer_is_offered_only_when_configured(page, live_server, coordinator):
    open_map(page, live_server, coordinator)
    bases = page.locator(".leaflet-control-layers-base label").all_inner_texts()
    assert [b.strip() for b in bases] == ["Built-in map (offline)"]
    # The same module with a tile server: a second base layer, not fetched until chosen. (The
    # page's bundle exposes nothing: the test imports the module's source, as served.)
    offered = page.evaluate("""async () => {
        const {create} = await import('/static/js/map/basemap.js');
        const element = document.createElement('div');
        element.style.height = '200px';
        document.body.appendChild(element);
        const base = create(element, {
            dataUrl: '/static/basemap/', tileUrl: 'http://127.0.0.1:9/{z}/{x}/{y}.png',
            tileAttribution: 'Test tiles'});
        return base.ready.then(() => Object.values(base.control._layers)
                                          .filter(l => !l.overlay).map(l => l.name));
    }""")
    assert offered == ["Built-in map (offline)", "Online map tiles"]
    assert not any(url.startswith("http://127.0.0.1:9/") for url in page.record.requests)


def test_dari_is_right_to_left(page, live_server, coordinator, facilities, artifacts):
    open_map(page, live_server, coordinator)
    page.click(".nz-languages a[lang=fa-AF]")
    page.wait_for_selector("#nz-map[data-ready=true]", timeout=20_000)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    overlays = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert "ولایات" in [o.strip() for o in overlays]
    assert count(page, "path.nz-admin1-AFG") == 34
    # Controls mirror: zoom buttons on the right, the layer menu on the left.
    assert count(page, ".leaflet-top.leaflet-right .leaflet-control-zoom") == 1
    assert count(page, ".leaflet-top.leaflet-left .leaflet-control-layers") == 1
    page.screenshot(path=str(artifacts / "map-basemap-dari.png"))
    assert csp_violations(page) == []
    assert page.record.page_errors == []
