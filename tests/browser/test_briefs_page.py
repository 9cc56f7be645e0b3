"""The briefs page in a browser: a coordinator reaches it from the menu, makes a quarterly brief
with the form, downloads its PDF, schedules a monthly brief in two languages and stops it; in
Dari the page reads right to left. No script needed, none failing, nothing from elsewhere."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from server.core.db import db
from tests.browser.conftest import assert_page_clean, sign_in
from tests.browser.test_workspace import TIMEOUT, demo  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def _rows(live_server, sql: str, **params):
    with live_server.app_context():
        return db.session.execute(text(sql), params).all()


def test_make_download_schedule_and_stop(page, live_server, coordinator, demo,  # noqa: F811
                                         artifacts):
    base = live_server.config["LIVE_URL"]
    sign_in(page, base, coordinator, "/map")
    page.click("nav a[href='/briefs']")
    page.wait_for_url(base + "/briefs")
    assert page.locator("h1").inner_text() == "Briefs"
    assert page.locator("tr.nz-brief").count() == 0
    # make a quarterly brief of every facility, in English (the form's defaults)
    assert page.input_value("#make-period_kind") == "quarter"
    page.fill("#f-period_start", "2025-05-20")
    page.select_option("#make-scope", "all")
    page.select_option("#make-language", "en")
    page.click("form[action='/briefs'] button[type=submit]")
    page.wait_for_selector("tr.nz-brief", timeout=60_000)
    assert "2025-Q2" in page.locator("tr.nz-brief").inner_text()
    assert page.locator(".nz-flashes").inner_text().strip() == "Brief made: 2025-Q2."
    with page.expect_download(timeout=TIMEOUT) as download:
        page.click("tr.nz-brief a:text('PDF')")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.value.suggested_filename == "brief-2025-04-01-quarter-internal-en.pdf"
    page.screenshot(path=str(artifacts / "briefs-page.png"), full_page=True)
    # schedule a monthly brief in English and Dari, then stop it
    page.select_option("#schedule-period_kind", "month")
    page.check("#schedule-language-fa")
    page.click("form[action='/briefs/schedules'] button[type=submit]")
    page.wait_for_selector("tr.nz-brief-schedule", timeout=TIMEOUT)
    assert _rows(live_server, "SELECT period_kind, languages FROM brief_schedules "
                              "WHERE organisation_id = :o",
                 o=coordinator.organisation_id) == [("month", ["en", "fa"])]
    page.click("tr.nz-brief-schedule summary")
    page.click("tr.nz-brief-schedule .nz-confirm-form button")
    page.wait_for_selector("text=Scheduled brief stopped.", timeout=TIMEOUT)
    assert page.locator("tr.nz-brief-schedule").count() == 0
    assert _rows(live_server, "SELECT count(*) FROM brief_schedules WHERE organisation_id = :o",
                 o=coordinator.organisation_id) == [(0,)]
    assert_page_clean(page)
    # the same page in Dari: right to left, the brief still listed
    page.goto(f"{base}/language/prs?next=/briefs")
    page.wait_for_url(base + "/briefs")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.locator("tr.nz-brief").count() == 1
    assert page.locator("h1").inner_text() != "Briefs"
    page.screenshot(path=str(artifacts / "briefs-page-prs.png"), full_page=True)
