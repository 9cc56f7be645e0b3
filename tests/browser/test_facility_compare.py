"""The facility comparison page in a browser: sortable by keyboard (aria-sort follows), and the
CSV export carries the table."""
from __future__ import annotations

import csv
import io

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_workspace import TIMEOUT, demo  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def column(page, index: int) -> list[str]:
    return page.evaluate("i => Array.from(document.querySelectorAll("
                         "'.nz-compare-table tbody tr')).map(r => r.cells[i]"
                         ".getAttribute('data-value'))", index)


def test_comparison_table_sorts_and_exports(page, live_server, coordinator, demo,  # noqa: F811
                                            artifacts):
    base = live_server.config["LIVE_URL"]
    sign_in(page, base, coordinator, "/facilities/compare")
    page.wait_for_selector(".nz-compare-table[data-ready=true]", timeout=TIMEOUT)
    names = column(page, 0)
    assert "Torkham" in names and names == sorted(names, key=str)
    days = page.locator(".nz-compare-table thead th").nth(8)
    days.locator("button").focus()
    page.keyboard.press("Enter")
    assert days.get_attribute("aria-sort") == "ascending"
    values = [int(v) for v in column(page, 8) if v]
    assert values == sorted(values)
    page.keyboard.press("Enter")
    assert days.get_attribute("aria-sort") == "descending"
    values = [int(v) for v in column(page, 8) if v]
    assert values == sorted(values, reverse=True)
    assert page.locator(".nz-compare-table thead th").nth(0).get_attribute("aria-sort") is None
    page.screenshot(path=str(artifacts / "facility-compare.png"), full_page=True)
    with page.expect_download() as download:
        page.click(".nz-compare-csv")
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert {r["facility"] for r in rows} == set(names)
    torkham = next(r for r in rows if r["facility"] == "Torkham")
    assert torkham["safety_treatment"] == "1"


def test_the_menu_leads_to_the_comparison_in_every_language(page, live_server, coordinator,
                                                            artifacts):
    base = live_server.config["LIVE_URL"]
    sign_in(page, base, coordinator, "/account")
    link = ".nz-nav-links a[href='/facilities/compare']"
    for code, word in (("en", "Compare facilities"), ("prs", "مقایسهٔ مراکز"),
                       ("ps", "د ځایونو پرتله")):
        page.goto(f"{base}/language/{code}?next=/account")
        assert page.inner_text(link) == word
        assert page.get_attribute(link, "aria-current") is None
        page.click(link)
        page.wait_for_selector(".nz-compare-table[data-ready=true]", timeout=TIMEOUT)
        assert page.get_attribute(link, "aria-current") == "page"
    page.locator(".nz-header").screenshot(path=str(artifacts / "nav-compare-pashto.png"))
