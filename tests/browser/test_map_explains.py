"""The map explains itself (issue 18): at country zoom every count circle is big enough to carry
its number and carries it; the legend keys what the incidents layer draws (count circles,
severity colours, the heatmap's scale with its numbers); the summary says in sentences what is
shown and how to read it."""
from __future__ import annotations

import pytest

from server.core.db import db
from tests.browser import workspace_data
from tests.browser.conftest import assert_page_clean as clean
from tests.browser.conftest import wait_until
from tests.browser.test_every_page import AXE
from tests.browser.test_workspace import TIMEOUT, count, is_incidents, mapped, open_map

pytestmark = pytest.mark.browser


@pytest.fixture()
def demo(live_server, coordinator):
    with live_server.app_context():
        data = workspace_data.load(db.session, coordinator.organisation_id)
        db.session.commit()
    return data


def test_counts_legend_and_summary_at_country_zoom(page, live_server, coordinator, demo,
                                                   artifacts):
    answer = open_map(page, live_server, coordinator)
    assert answer["mode"] == "cells" and answer["zoom"] <= 6
    circles = page.evaluate("""Array.from(document.querySelectorAll('path.nz-cell'))
                               .map(p => p.getBBox().width)""")
    labels = page.locator(".nz-cell-count").all_inner_texts()
    assert len(labels) == len(circles) == len(answer["cells"])
    assert min(circles) >= 18  # a radius of 9 px at least: two digits fit
    assert sum(int(text) for text in labels) == answer["total"] == mapped(demo)
    key = ".nz-legend .nz-legend-incidents"
    assert page.get_attribute(key, "data-mode") == "cells"
    assert page.inner_text(f"{key} .nz-legend-cell") == "12"
    summary = page.inner_text("#nz-incident-summary")
    assert summary.startswith(f"Incidents in view: {answer['total']}. Each circle shows")
    page.screenshot(path=str(artifacts / "map-country-zoom-labels.png"))

    # The heatmap: its scale in the legend, from one incident to the busiest area in view.
    with page.expect_response(lambda r: is_incidents(r, mode="heatmap")) as heat:
        page.check("#nz-heat")
    biggest = heat.value.json()["max"]
    wait_until(page, "document.querySelector('.nz-legend-incidents').dataset.mode === 'heatmap'")
    ticks = page.locator(".nz-legend-heat-ticks span").all_inner_texts()
    assert ticks[0] == "1" and ticks[-1] == str(biggest)
    assert page.locator(".nz-legend-heat").evaluate(
        "e => getComputedStyle(e).backgroundImage").startswith("linear-gradient")
    assert "Darker areas had more incidents" in page.inner_text("#nz-incident-summary")
    assert "Each circle" not in page.inner_text("#nz-incident-summary")
    page.screenshot(path=str(artifacts / "map-heatmap-legend.png"))
    clean(page)


def test_single_reports_are_keyed_by_severity(page, live_server, coordinator, demo):
    answer = open_map(page, live_server, coordinator, "/map?lat=34.115&lon=71.087&z=12")
    if answer["mode"] != "points":  # the first answer may be the default view's
        wait_until(page, "document.getElementById('nz-map').dataset.incidentMode === 'points'",
                   TIMEOUT)
    wait_until(page, "document.querySelector('.nz-legend-incidents').dataset.mode === 'points'")
    assert count(page, ".nz-legend-incidents .nz-legend-point") == 5
    assert page.locator(".nz-legend-incidents li").first.inner_text() == "1 · minor"
    assert "Each dot is one report" in page.inner_text("#nz-incident-summary")



# Overlapping facility markers (WCAG 2.5.8, axe's target-size; Lighthouse found them on /map):
# every marker a target of its own, apart from the others, at every zoom.
MARKER_BOXES = """Array.from(document.querySelectorAll('.nz-facility')).map(e => {
    const r = e.getBoundingClientRect(), frame = document.getElementById('nz-map')
      .getBoundingClientRect(), pane = new DOMMatrix(getComputedStyle(
        document.querySelector('.leaflet-map-pane')).transform);
    const shift = (e.style.translate || '0px 0px').split(' ').map(parseFloat);
    return {title: e.getAttribute('title'), x: r.left + r.width / 2, y: r.top + r.height / 2,
            w: r.width, h: r.height, moved: e.classList.contains('nz-facility-moved'),
            // where Leaflet put it (its layer point, on the map pane) plus the shift apart
            at: [frame.left + pane.e + e._leaflet_pos.x + (shift[0] || 0),
                 frame.top + pane.f + e._leaflet_pos.y + (shift[1] || 0)]}; })"""


def misplaced(boxes) -> list[str]:
    """Markers not drawn where the map puts them (e.g. laid out in the page's flow)."""
    return [b["title"] for b in boxes
            if abs(b["x"] - b["at"][0]) > 1 or abs(b["y"] - b["at"][1]) > 1]


def apart(boxes) -> list[tuple[str, str]]:
    """Pairs of markers whose 24 px target circles meet (or whose boxes overlap)."""
    close = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5 < max(a["w"], b["w"], 24):
                close.append((a["title"], b["title"]))
    return close


def test_facility_markers_never_overlap(browser, live_server, coordinator, demo, artifacts):
    with live_server.app_context():  # three more facilities within a few km of Torkham
        from tests import factories
        for n, (lon, lat) in enumerate(((71.10, 34.12), (71.06, 34.10), (71.09, 34.14))):
            factories.facility(db.session, lon=lon, lat=lat, name=f"Close {n}")
        db.session.commit()
    context = browser.new_context(viewport={"width": 412, "height": 823}, locale="en-GB",
                                  is_mobile=True, has_touch=True,
                                  bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    try:
        open_map(page, live_server, coordinator)
        page.wait_for_selector("#nz-map[data-ready=true]", timeout=TIMEOUT)
        boxes = page.evaluate(MARKER_BOXES)
        assert len(boxes) >= 4 and all(b["w"] >= 24 and b["h"] >= 24 for b in boxes)
        assert misplaced(boxes) == []
        assert apart(boxes) == []
        moved = [b for b in boxes if b["moved"]]
        assert len(moved) >= 3  # the cluster around Torkham was spread out ...
        # ... each with a line from its true place
        assert count(page, "path.nz-facility-leader") == len(moved)
        page.screenshot(path=str(artifacts / "map-phone-markers-apart.png"))
        # Close in, they sit on their true places again.
        page.goto(live_server.config["LIVE_URL"] + "/map?lat=34.12&lon=71.08&z=13")
        page.wait_for_selector("#nz-map[data-ready=true]", timeout=TIMEOUT)
        wait_until(page, "document.querySelectorAll('.nz-facility').length > 0", TIMEOUT)
        boxes = page.evaluate(MARKER_BOXES)
        assert misplaced(boxes) == []
        # (the legend folded on a phone; no marker under a control: one there is moved out)
        assert page.evaluate("document.querySelector('.nz-legend').open") is False
        controls = page.evaluate("""Array.from(document.querySelectorAll('.leaflet-control'))
            .map(c => c.getBoundingClientRect()).filter(r => r.width > 38)
            .map(r => [r.left, r.top, r.right, r.bottom])""")
        assert [(b["title"], c) for b in boxes for c in controls
                if c[0] - 15 < b["x"] < c[2] + 15 and c[1] - 15 < b["y"] < c[3] + 15] == []
        assert apart(boxes) == []
        assert count(page, "path.nz-facility-leader") == sum(b["moved"] for b in boxes)
        # axe's own target-size check, on the country view.
        page.goto(live_server.config["LIVE_URL"] + "/map")
        page.wait_for_selector("#nz-map[data-ready=true]", timeout=TIMEOUT)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {runOnly: ['target-size']})")
        assert result["violations"] == [], [(n["html"][:200], [r["html"][:200] for c in n["any"] for r in c["relatedNodes"]]) for v in result["violations"] for n in v["nodes"]]
    finally:
        context.close()
