"""Each person's calendar on the coordinator's pages (issue 18), in headless Chromium: a Dari
reader sees the Solar Hijri calendar (Afghanistan's official one) on the map's time slider, the
facility panel (visit history and the timeline picture) and the review card, each date exactly
as the server formats it; choosing the Gregorian calendar on the account page changes all of
them; Pashto pages name no month in English. Screenshots in tests/artifacts/."""
from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from flask_babel import force_locale

from server.core.calendars import SOLAR_HIJRI, parts
from server.web import dates
from tests.browser.conftest import assert_page_clean as clean
from tests.browser.conftest import wait_until
from tests.browser.test_workspace import TIMEOUT, demo, open_map, query_db  # noqa: F401

pytestmark = pytest.mark.browser
ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b")
PANEL = "#nz-facility-panel"


def expected(live_server, babel_locale: str, calendar: str, iso: str, how=dates.day) -> str:
    """What the server writes for `iso` in that language and calendar (the browser's twin must
    write the same)."""
    with live_server.test_request_context(), force_locale(babel_locale):
        return how(iso, calendar)


def language(page, live_server, code: str, path: str) -> None:
    page.goto(live_server.config["LIVE_URL"] + f"/language/{code}?next=" + quote(path))


def choose_calendar(page, live_server, calendar: str, screenshot=None) -> None:
    page.goto(live_server.config["LIVE_URL"] + "/account")
    page.check(f"#f-calendar-{calendar}")
    if screenshot:
        page.screenshot(path=str(screenshot))
    page.click(".nz-calendar-form button[type=submit]")
    page.wait_for_url("**/account")
    assert page.is_checked(f"#f-calendar-{calendar}")


def slider(page) -> dict:
    wait_until(page, "document.querySelectorAll('.nz-timeline .nz-bar').length > 0", TIMEOUT)
    return page.evaluate("""({
        months: Array.from(document.querySelectorAll('.nz-timeline .nz-bar'))
                     .map(b => b.dataset.month),
        caption: document.querySelector('.nz-timeline-caption').textContent,
        valuetext: document.querySelector('.nz-timeline-start').getAttribute('aria-valuetext')})""")


def open_panel(page, name: str = "Torkham") -> dict:
    with page.expect_response(lambda r: "/api/map/facilities/" in r.url
                              and r.url.split("?")[0].endswith("/history")) as answer:
        page.click(f".nz-facility[title='{name}']")
    page.wait_for_selector(f"{PANEL}[data-ready=true]", timeout=TIMEOUT)
    page.wait_for_selector(f"{PANEL} .nz-timeline-holder[data-ready=true]", timeout=TIMEOUT)
    return answer.value.json()


def panel_dates(page) -> list[str]:
    return page.evaluate(f"""Array.from(document.querySelectorAll(
        '{PANEL} .nz-visit-history tbody tr td:first-child')).map(td => td.textContent)""")


def axis(page) -> list[str]:
    return page.evaluate(f"""Array.from(document.querySelectorAll(
        '{PANEL} .nz-timeline-holder text.nz-axis')).map(t => t.textContent)""")


def card_text(page, live_server, visit) -> str:
    language_now = page.evaluate("document.documentElement.lang")
    page.goto(live_server.config["LIVE_URL"] + "/review?tab=visits")
    page.wait_for_selector("#nz-review-list[data-ready=true]", timeout=TIMEOUT)
    assert page.evaluate("document.documentElement.lang") == language_now
    return page.inner_text(f".nz-review-item[data-id='{visit}'] .nz-item-facts")


def test_dari_solar_hijri_then_gregorian_everywhere(page, live_server, coordinator, demo,
                                                    artifacts):
    open_map(page, live_server, coordinator)
    language(page, live_server, "prs", "/account")
    # Gregorian until the person picks another calendar (issue 18); this one picks Solar Hijri.
    assert page.is_checked("#f-calendar-gregorian")
    choose_calendar(page, live_server, "solar_hijri")
    page.goto(live_server.config["LIVE_URL"] + "/map")
    page.wait_for_selector("#nz-map[data-ready=true]", timeout=TIMEOUT)
    # The slider: Solar Hijri months (each bar begins on the 1st of one), named in Dari.
    shown = slider(page)
    starts = [date.fromisoformat(m) for m in shown["months"]]
    assert all(parts(d, SOLAR_HIJRI)[2] == 1 for d in starts)
    assert any(d.day != 1 for d in starts)  # not Gregorian months
    assert shown["caption"] == (
        expected(live_server, "fa_AF", "solar_hijri", shown["months"][0], dates.month) + " – " +
        expected(live_server, "fa_AF", "solar_hijri", shown["months"][-1], dates.month))
    assert shown["valuetext"] == expected(live_server, "fa_AF", "solar_hijri",
                                          shown["months"][0], dates.month)
    # The facility panel: the visit history and the timeline picture's axis.
    history = open_panel(page)
    solar = [expected(live_server, "fa_AF", "solar_hijri", v["date"])
             for v in history["visits"]]
    assert sorted(panel_dates(page)) == sorted(solar)
    assert axis(page) == [solar[0], solar[-1]]
    assert all(re.search(r"[۰-۹]", d) and not re.search(r"[0-9A-Za-z]", d) for d in solar)
    assert page.inner_text(f"{PANEL} .nz-facts").count(solar[-1]) == 1  # the last visit
    # A bar chooses its Solar Hijri month: the pickers hold its first and last Gregorian days
    # and say them in the reader's calendar.
    month = shown["months"][1]
    page.click(f".nz-bar[data-month='{month}']")
    wait_until(page, f"document.getElementById('nz-from').value === '{month}'", TIMEOUT)
    last = page.input_value("#nz-to")
    assert parts(date.fromisoformat(last), SOLAR_HIJRI)[1] == parts(
        date.fromisoformat(month), SOLAR_HIJRI)[1]
    assert parts(date.fromisoformat(last) + timedelta(days=1), SOLAR_HIJRI)[2] == 1
    assert page.inner_text("#nz-from-day") == expected(live_server, "fa_AF", "solar_hijri",
                                                       month)
    assert page.inner_text("#nz-to-day") == expected(live_server, "fa_AF", "solar_hijri", last)
    page.screenshot(path=str(artifacts / "calendar-map-dari-solar-hijri.png"))
    # The review card.
    [(started,)] = query_db(live_server, "SELECT started_at FROM visits WHERE id = :i",
                            i=demo.pending_visit)
    card = card_text(page, live_server, demo.pending_visit)
    assert expected(live_server, "fa_AF", "solar_hijri", started.date().isoformat()) in card
    page.locator(f".nz-review-item[data-id='{demo.pending_visit}']").screenshot(
        path=str(artifacts / "calendar-review-card-dari-solar-hijri.png"))
    clean(page)

    # The account page: choose the Gregorian calendar.
    choose_calendar(page, live_server, "gregorian", artifacts / "calendar-account-dari.png")

    page.goto(live_server.config["LIVE_URL"] + "/map")
    page.wait_for_selector("#nz-map[data-ready=true]", timeout=TIMEOUT)
    shown = slider(page)
    assert all(m.endswith("-01") for m in shown["months"])
    assert shown["caption"] == (
        expected(live_server, "fa_AF", "gregorian", shown["months"][0], dates.month) + " – " +
        expected(live_server, "fa_AF", "gregorian", shown["months"][-1], dates.month))
    history = open_panel(page)
    gregorian = [expected(live_server, "fa_AF", "gregorian", v["date"])
                 for v in history["visits"]]
    assert gregorian != solar
    assert sorted(panel_dates(page)) == sorted(gregorian)
    assert axis(page) == [gregorian[0], gregorian[-1]]
    page.screenshot(path=str(artifacts / "calendar-map-dari-gregorian.png"))
    card = card_text(page, live_server, demo.pending_visit)
    assert expected(live_server, "fa_AF", "gregorian", started.date().isoformat()) in card
    assert not set(names(live_server, "fa_AF", "solar_hijri")) & set(card.split())
    clean(page)


def test_pashto_names_no_month_in_english(page, live_server, coordinator, demo, artifacts):
    open_map(page, live_server, coordinator)
    language(page, live_server, "ps", "/account")
    choose_calendar(page, live_server, "solar_hijri")
    page.goto(live_server.config["LIVE_URL"] + "/map")
    page.wait_for_selector("#nz-map[data-ready=true]", timeout=TIMEOUT)
    shown = slider(page)
    assert shown["caption"] == (
        expected(live_server, "ps", "solar_hijri", shown["months"][0], dates.month) + " – " +
        expected(live_server, "ps", "solar_hijri", shown["months"][-1], dates.month))
    assert not ENGLISH_MONTH.search(shown["caption"])
    bar_titles = page.evaluate("""Array.from(document.querySelectorAll(
        '.nz-timeline .nz-bar title')).map(t => t.textContent).join(' ')""")
    assert not ENGLISH_MONTH.search(bar_titles)
    history = open_panel(page)
    panel = page.inner_text(PANEL)
    assert not ENGLISH_MONTH.search(panel)
    assert sorted(panel_dates(page)) == sorted(
        expected(live_server, "ps", "solar_hijri", v["date"]) for v in history["visits"])
    page.screenshot(path=str(artifacts / "calendar-map-pashto.png"))
    card = card_text(page, live_server, demo.pending_visit)
    assert not ENGLISH_MONTH.search(card)
    page.goto(live_server.config["LIVE_URL"] + "/account")
    assert not ENGLISH_MONTH.search(page.inner_text("main"))
    assert names(live_server, "ps", "solar_hijri")[7] == "لړم"
    clean(page)


def names(live_server, babel_locale: str, calendar: str) -> list[str]:
    with live_server.test_request_context(), force_locale(babel_locale):
        return dates.month_names(calendar)
