"""The review queue in Dari and Pashto (issues 16 and 18): cards lay out right to left (each
label right of its value, Verify the rightmost button), and the shortcuts work on a Dari keyboard
layout, where the keys carry Persian letters: they are bound to the physical key
(KeyboardEvent.code), not to the letter typed."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import text

from server.core.db import db
from tests.browser.conftest import assert_page_clean, sign_in, wait_until
from tests.browser.test_workspace import demo  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
TIMEOUT = 20_000
# What the keys of the shortcuts type on the Persian (Dari) standard layout.
# "not known": the report to verify counts 3 women and gives no other count (issue 15).
NOT_KNOWN = {"prs": "معلوم نیست", "ps": "معلوم نه دی"}
DARI_KEYS = {"KeyJ": "ت", "KeyK": "ن", "KeyV": "ر", "KeyI": "ه", "KeyR": "ق", "KeyO": "خ"}


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
    facts = page.locator(f"{card} .nz-item-facts").inner_text()
    assert NOT_KNOWN[language] in facts and ": 0" not in facts  # never shown as nobody
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


def press(page, code: str) -> None:
    """A key as a Dari layout sends it: the Persian letter as `key`, the physical key as
    `code`."""
    page.evaluate("""([key, code]) => (document.activeElement || document.body).dispatchEvent(
        new KeyboardEvent('keydown', {key, code, bubbles: true, cancelable: true}))""",
                  [DARI_KEYS[code], code])


def test_the_shortcuts_work_on_a_dari_keyboard_layout(page, live_server, coordinator, demo):
    open_in(page, live_server, coordinator, "prs", "/review?tab=incidents")
    ids = page.evaluate("Array.from(document.querySelectorAll('.nz-review-item'))"
                        ".map(e => e.dataset.id)")
    assert len(ids) >= 2
    selected = "document.querySelector('.nz-review-item[aria-current=true]').dataset.id"
    assert page.evaluate(selected) == ids[0]
    press(page, "KeyJ")  # ت: next
    assert page.evaluate(selected) == ids[1]
    press(page, "KeyK")  # ن: previous
    assert page.evaluate(selected) == ids[0]

    # ه (i): has issues asks for a comment; Escape cancels it.
    press(page, "KeyI")
    page.wait_for_selector(f".nz-review-item[data-id='{ids[0]}'] form[data-action=has_issues]")
    page.keyboard.press("Escape")
    assert page.locator("form.nz-item-comment").count() == 0

    # ر (v): verify the selected report.
    with page.expect_response(lambda r: r.url.endswith(f"/api/incidents/{ids[0]}/review")) as done:
        press(page, "KeyV")
    assert done.value.status == 200
    wait_until(page, f"document.querySelector(\".nz-review-item[data-id='{ids[0]}']\")"
                     ".dataset.done === 'true'")
    with live_server.app_context():
        status = db.session.execute(text("SELECT verification_status FROM incidents "
                                         "WHERE id = :i"), {"i": ids[0]}).scalar()
    assert status == "verified"
    # ت again: on to the next open report, none skipped.
    press(page, "KeyJ")
    assert page.evaluate(selected) == ids[1]
    # A letter typed in a field is text, not a shortcut.
    press(page, "KeyI")
    page.locator(f".nz-review-item[data-id='{ids[1]}'] textarea").type("ت")
    assert page.evaluate(selected) == ids[1]
    assert_page_clean(page)
