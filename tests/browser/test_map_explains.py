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

