"""Closing the loop for ODK Collect users (issue 16): a visit sent through OpenRosa
(/key/<token>/submission, multipart, as Collect sends it); the coordinator sends it back from the
review queue with a comment; the monitor reads the comment on /my-reports in a web session; the
monitor sends a correction (a new instance naming the old one as deprecatedID, as Collect does
when a sent form is edited); the coordinator sees version 2 and what changed, and verifies it;
/my-reports then says "Verified"."""
from __future__ import annotations

import io

import pytest
import requests
from sqlalchemy import text

from server.accounts.models import Organisation
from server.core.db import db
from tests import factories
from tests.browser.conftest import assert_page_clean, sign_in
from tests.openrosa_samples import submission_xml, visit_values

pytestmark = pytest.mark.browser
TIMEOUT = 20_000
COMMENT = "Recount the women held — زنان را دوباره بشمارید"


@pytest.fixture()
def field(live_server, coordinator):
    with live_server.app_context():
        session = db.session
        organisation = session.get(Organisation, coordinator.organisation_id)
        monitor = factories.user(session, role="monitor", organisation=organisation)
        facility = factories.facility(session, lon=71.08472, lat=34.11472, name="Torkham")
        token = factories.device_token(session, monitor)
        session.commit()
        return monitor.email, facility.id, token


def send_like_collect(live_server, token: str, xml: bytes) -> requests.Response:
    return requests.post(f"{live_server.config['LIVE_URL']}/key/{token}/submission",
                         headers={"X-OpenRosa-Version": "1.0"}, timeout=30,
                         files={"xml_submission_file": ("submission.xml", io.BytesIO(xml),
                                                        "text/xml")})


def monitor_signs_in(page, base: str, email: str) -> None:
    """A monitor's web session: password only (no second factor for monitors)."""
    page.goto(base + "/my-reports")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", factories.DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(base + "/my-reports")


def test_a_visit_sent_with_odk_collect_comes_back_with_a_comment_and_is_corrected(
        browser, page, live_server, coordinator, field, artifacts):
    email, facility_id, token = field
    base = live_server.config["LIVE_URL"]
    xml, instance = submission_xml(visit_values(facility_id, women=12))
    sent = send_like_collect(live_server, token, xml)
    assert sent.status_code == 201, sent.text
    visit_id = instance.removeprefix("uuid:")

    # The coordinator sends it back from the queue, with a comment.
    sign_in(page, base, coordinator, "/review?tab=visits")
    page.wait_for_selector("#nz-review-list[data-ready=true]", timeout=TIMEOUT)
    card = f".nz-review-item[data-id='{visit_id}']"
    page.click(card)
    page.click(f"{card} .nz-action-has_issues")
    page.fill(f"{card} textarea[name=comment]", COMMENT)
    with page.expect_response(lambda r: r.url.endswith(f"/api/visits/{visit_id}/review")) as done:
        page.keyboard.press("Control+Enter")
    assert done.value.status == 200

    # The monitor, in a browser of their own, reads it on /my-reports.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    mine = context.new_page()
    try:
        monitor_signs_in(mine, base, email)
        report = mine.locator(f"[data-report='{visit_id}']")
        assert report.get_attribute("data-status") == "has_issues"
        assert report.locator("[data-role=status]").inner_text() == "Has issues"
        assert report.locator("[data-role=comment]").inner_text() == COMMENT
        mine.screenshot(path=str(artifacts / "my-reports-openrosa-sent-back.png"), full_page=True)

        # Corrected in Collect and sent again: a new instance that deprecates the first.
        fixed, _ = submission_xml(visit_values(facility_id, women=14), deprecated_id=instance)
        again = send_like_collect(live_server, token, fixed)
        assert again.status_code == 201, again.text
        with live_server.app_context():
            version, status = db.session.execute(text(
                "SELECT version, review_status FROM visits WHERE id = :i"), {"i": visit_id}).one()
        assert (version, status) == (2, "submitted")

        # Back in the queue: version 2, with what changed; verified.
        page.goto(base + "/review?tab=visits")
        page.wait_for_selector("#nz-review-list[data-ready=true]", timeout=TIMEOUT)
        page.click(f"{card} .nz-action-details")
        page.wait_for_selector(f"{card} .nz-changes li[data-field='held.women']")
        assert "12 → 14" in page.inner_text(f"{card} .nz-changes li[data-field='held.women']")
        with page.expect_response(lambda r: r.url.endswith(f"/api/visits/{visit_id}/review")):
            page.click(f"{card} .nz-action-verify")
        page.wait_for_selector(f"{card}[data-done=true]")

        mine.reload()
        report = mine.locator(f"[data-report='{visit_id}']")
        assert report.get_attribute("data-status") == "verified"
        assert report.locator("[data-role=status]").inner_text() == "Verified"
        assert "version 2" in report.inner_text()
        actions = report.locator(".nz-decisions li").evaluate_all(
            "items => items.map(li => li.dataset.action)")
        assert "has_issues" in actions and "verify" in actions
    finally:
        context.close()
    assert_page_clean(page)
