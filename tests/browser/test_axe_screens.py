"""axe-core (npm, injected into the page only here) finds no accessibility violation on any
screen of the phone app (/m/) or of the review queue (/review), in English and in Dari
(issue 16): the phone's sign-in, home, form (with an incident placed on the map and a photo),
the wipe countdown and the unlock screen; the queue's three tabs with a visit's evidence and
details and a duplicate pair's comparison open."""
from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

import pytest

from server.accounts.models import Organisation
from server.core.db import db
from server.demo.submissions import one_visit
from tests import factories
from tests.browser import workspace_data
from tests.browser.conftest import RECORD_CSP, sign_in
from tests.browser.test_every_page import AXE, axe_violations, with_axe
from tests.browser.test_mobile_app import (  # noqa: F401 (fixtures)
    PHONE,
    ROOT,
    choose,
    monitor,
    photo_with_gps,
    q,
    unlock,
)
from tests.browser.test_mobile_app import sign_in as phone_sign_in

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm ci)")]
TIMEOUT = 20_000


@pytest.fixture()
def queue_data(live_server, coordinator):
    with live_server.app_context():
        session = db.session
        data = workspace_data.load(session, coordinator.organisation_id)
        organisation = session.get(Organisation, coordinator.organisation_id)
        facility = factories.facility(session, name="Torkham", lon=71.0847, lat=34.1147)
        monitor_account = factories.user(session, role="monitor", organisation=organisation)
        visit = one_visit(session, facility, coordinator.organisation_id, monitor_account.id,
                          seed=7, day=date.today() - timedelta(days=1), incidents=2)
        session.commit()
        return data, visit.id


def check(page, found: dict, name: str) -> None:
    problems = axe_violations(page)
    if problems:
        found[name] = problems


def test_axe_on_every_screen_of_the_review_queue(browser, live_server, coordinator, queue_data,
                                                 artifacts):
    data, visit_id = queue_data
    base = live_server.config["LIVE_URL"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  bypass_csp=True)  # axe may be added as an inline script
    with_axe(context)
    page = context.new_page()
    found: dict = {}
    try:
        sign_in(page, base, coordinator, "/account")
        for language in ("en", "prs"):
            page.goto(f"{base}/language/{language}?next={quote('/review')}")
            page.wait_for_selector("#nz-review-list[data-ready=true]", timeout=TIMEOUT)
            page.click(f".nz-review-item[data-id='{data.to_verify}'] .nz-action-details")
            page.wait_for_selector(".nz-item-details")
            page.click(f".nz-review-item[data-id='{data.to_verify}'] .nz-action-has_issues")
            check(page, found, f"{language} incidents")

            page.goto(f"{base}/review?tab=visits")
            page.wait_for_selector("#nz-review-list[data-ready=true]", timeout=TIMEOUT)
            card = f".nz-review-item[data-id='{visit_id}']"
            page.click(f"{card} .nz-evidence > summary")
            page.click(f"{card} .nz-review-timeline > summary")
            page.click(f"{card} .nz-action-details")
            page.wait_for_selector(f"{card} .nz-minimap-map[data-ready=true]", timeout=TIMEOUT)
            page.locator(card).screenshot(  # JPEG: a tall card, PNG takes longer to encode
                path=str(artifacts / f"axe-review-visit-{language}.jpg"), quality=90)
            check(page, found, f"{language} visits")

            page.goto(f"{base}/review?tab=duplicates")
            page.wait_for_selector("#nz-review-list[data-ready=true]", timeout=TIMEOUT)
            page.click(".nz-review-item[data-kind=pair] .nz-action-compare")
            page.wait_for_selector(".nz-pair-details")
            page.click(".nz-shortcuts > summary")
            check(page, found, f"{language} duplicates")
    finally:
        context.close()
    assert found == {}, "\n".join(f"{name}: {problems}" for name, problems in found.items())


def test_axe_on_every_screen_of_the_phone_app(browser, monitor, artifacts):
    context = browser.new_context(**PHONE, bypass_csp=True)
    context.add_init_script(RECORD_CSP)
    with_axe(context)
    page = context.new_page()
    found: dict = {}
    try:
        page.goto(monitor.base + "/m/")
        page.wait_for_selector("[data-screen=signin]")
        for language in ("en", "prs"):
            page.select_option("#lang", language)
            check(page, found, f"{language} sign-in")
        page.select_option("#lang", "en")
        phone_sign_in(page, monitor)
        for language in ("en", "prs"):
            page.select_option("#lang", language)
            page.wait_for_selector("[data-screen=home]")
            check(page, found, f"{language} home")

            page.click("[data-action=new]")
            page.wait_for_selector("[data-screen=form]")
            check(page, found, f"{language} form, empty")
            page.select_option(q("facility"), monitor.facility_id)
            choose(page, "access/obtained", "partial")
            page.click(f'[data-add="{ROOT}/photos"]')
            page.set_input_files(q("photos/photo"), files=[{
                "name": "a.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps(800, 600)}])
            page.wait_for_selector(f'[data-repeat="{ROOT}/photos"] .photo-preview img')
            page.click(f'[data-add="{ROOT}/incident"]')
            choose(page, "incident/location_precision", "exact")
            page.wait_for_selector("[data-role=place-map][data-ready=true]")
            page.click("[data-action=finish]")  # every error shown
            page.screenshot(path=str(artifacts / f"axe-phone-form-{language}.jpg"), quality=90)
            check(page, found, f"{language} form, filled with errors")
            page.click("[data-action=save]")
            page.wait_for_selector("[data-screen=home] [data-state=draft]")
            check(page, found, f"{language} home with a draft")

            page.click("[data-action=wipe]")
            page.wait_for_selector("[data-role=wipe-countdown]")
            check(page, found, f"{language} wipe countdown")
            page.click("[data-action=cancel-wipe]")
            page.wait_for_selector("[data-screen=home]")

            page.click("[data-action=lock]")
            page.wait_for_selector("[data-screen=unlock]")
            check(page, found, f"{language} unlock")
            unlock(page)
    finally:
        context.close()
    assert found == {}, "\n".join(f"{name}: {problems}" for name, problems in found.items())
