"""The /map page skeleton: signed-in only, its settings handed to the scripts as JSON, no inline
script or style (CSP), the language's direction."""
from __future__ import annotations

import json
import re

from server.facilities.models import KINDS
from server.web import map_routes
from server.web.i18n import COOKIE

SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)


def config_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="nz-map-config">(.*?)</script>', html,
                      re.S)
    return json.loads(match.group(1))


def test_anonymous_browser_is_sent_to_sign_in(client):
    response = client.get("/map", headers={"Accept": "text/html"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    assert "next=/map" in response.headers["Location"]
    assert client.get("/map", headers={"Accept": "application/json"}).status_code == 401


def test_page_for_a_signed_in_coordinator(signed_in_client):
    client, _ = signed_in_client("coordinator")
    response = client.get("/map")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert 'id="nz-map"' in html
    config = config_of(html)
    assert config["basemapUrl"] == "/static/basemap/"
    # Coordinators get the map API's layer (latest grade, stale, access denied) and the rest of
    # the workspace; see test_workspace_pages.py.
    assert config["facilitiesUrl"] == "/api/map/facilities?limit=5000"
    assert config["workspace"]["incidentsUrl"] == "/api/map/incidents"
    assert config["iconUrl"] == "/static/img/facilities/"
    assert config["tileUrl"] is None
    assert set(config["kindLabels"]) == set(KINDS)
    assert config["kindLabels"]["border_crossing"] == "Border crossing"
    for kind in KINDS:  # every kind has its icon
        assert client.get(f"/static/img/facilities/{kind}.svg").status_code == 200


def test_no_inline_script_or_style(signed_in_client):
    """CSP is script-src 'self' and style-src 'self': the page must work within it."""
    client, _ = signed_in_client("coordinator")
    response = client.get("/map")
    html = response.get_data(as_text=True)
    scripts = list(SCRIPT.finditer(html))
    assert scripts
    for script in scripts:
        attrs = script.group("attrs")
        if 'type="application/json"' in attrs:
            continue  # data, never executed
        assert 'src="/static/gen/' in attrs and script.group("body").strip() == ""
    assert " style=" not in html and "<style" not in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp


def test_monitor_may_open_it_too(signed_in_client):
    client, _ = signed_in_client("monitor")
    assert client.get("/map").status_code == 200


def test_dari_page_is_right_to_left(signed_in_client):
    client, _ = signed_in_client("coordinator")
    client.set_cookie(COOKIE, "prs")
    html = client.get("/map").get_data(as_text=True)
    assert '<html lang="fa-AF" dir="rtl">' in html
    config = config_of(html)
    assert config["language"] == "prs"
    assert config["strings"]["provinces"] == "ولایات"
    assert config["kindLabels"]["detention_centre"] == "بازداشتگاه"


def test_tile_server_when_configured(app):
    app.config.update(TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png",
                      TILE_ATTRIBUTION="© Example tiles")
    try:
        with app.test_request_context("/map"):
            config = map_routes.map_config()
    finally:
        app.config.update(TILE_URL="", TILE_ATTRIBUTION="")
    assert config["tileUrl"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert config["tileAttribution"] == "© Example tiles"
