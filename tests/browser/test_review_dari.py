"""The review queue in Dari and Pashto (issues 16 and 18): cards lay out right to left (each
label right of its value, Verify the rightmost button)."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from server.core.db import db
from tests.browser import workspace_data
from tests.browser.conftest import assert_page_clean, sign_in

pytestmark = pytest.mark.browser
TIMEOUT = 20_000


@pytest.fixture()
def demo(live_server, coordinator):
    with live_server.app_context():
        data = workspace_data.load(db.session, coordinator.organisation_id)
        db.session.commit()
    return data


def open_in(page, live_server, coordinator, language: str, path: str) -> None:
    base = live_server.config["LIVE_URL"]
    sign_in(page, base, coordinator, "/account")
    page.goto(f"{base}/language/{language}?next={quote(path)}")
    page.wait_for_selector("#nz-review-list[data-ready=true]", timeout=TIMEOUT)
    assert page.evaluate("document.documentElement.dir") == "rtl"


def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found, selector
    return found


@pytest.mark.parametrize("language", ["prs", "ps"])
def test_review_cards_lay_out_right_to_left(page, live_server, coordinator, demo, language,
                                            artifacts):
    open_in(page, live_server, coordinator, language, "/review?tab=incidents")
    card = f".nz-review-item[data-id='{demo.to_verify}']"
    terms = page.locator(f"{card} .nz-item-facts dt")
    assert terms.count() >= 4
    for i in range(terms.count()):  # each label right of its value, on the same line
        term = terms.nth(i).bounding_box()
        value = page.locator(f"{card} .nz-item-facts dt:nth-of-type({i + 1}) + dd > bdi"
                             ).bounding_box()
        gap = term["x"] - (value["x"] + value["width"])
        assert 0 <= gap < 40, (i, term, value)  # right beside it, whatever the value's script
        assert abs(term["y"] - value["y"]) < 4
    buttons = page.locator(f"{card} .nz-item-actions button")
    rights = [buttons.nth(i).bounding_box() for i in range(buttons.count())]
    verify = box(page, f"{card} .nz-action-verify")
    assert verify["x"] + verify["width"] == max(b["x"] + b["width"] for b in rights)
    assert all(verify["x"] >= b["x"] + b["width"] - 1 for b in rights if b != verify)
    title, card_box = box(page, f"{card} .nz-item-title"), box(page, card)
    # The title starts at the card's right edge (less its padding), not its left.
    assert card_box["x"] + card_box["width"] - (title["x"] + title["width"]) < 24
    page.locator(card).screenshot(path=str(artifacts / f"review-card-{language}-rtl.png"))
    page.screenshot(path=str(artifacts / f"review-{language}-rtl.png"), full_page=True)
    assert_page_clean(page)
