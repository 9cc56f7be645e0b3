"""Each person's calendar (issue 18): Solar Hijri by default in Dari and Pashto (Afghanistan's
official calendar), Gregorian in English, a choice of their own on the account page that every
server-rendered date follows (admin lists, the account page, the facility timeline picture),
month names in the page's language (Pashto's own, never English), the language's digits."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest
from flask_babel import refresh

from server.web import dates
from server.web.i18n import COOKIE
from tests.conftest import csrf_of

HTML = {"Accept": "text/html"}
MOMENT = datetime(2023, 11, 15, 14, 3, tzinfo=timezone.utc)  # 24 Aqrab 1402
ENGLISH_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w*\b")


@pytest.mark.parametrize("language, shown", [
    ("en", "15 Nov 2023 14:03 UTC"),
    ("prs", "۱۵ نومبر ۲۰۲۳ ۱۴:۰۳ UTC"),
    ("ps", "۱۵ نومبر ۲۰۲۳ ۱۴:۰۳ UTC"),
])
def test_gregorian_until_a_person_chooses(app, language, shown):
    """Issue 18: "Gregorian by default; Solar Hijri for those who pick it"."""
    with app.test_request_context(headers={"Cookie": f"{COOKIE}={language}"}):
        assert dates.current_calendar() == "gregorian"
        assert dates.when(MOMENT) == shown
        assert dates.day("2023-11-15") == shown.rsplit(" ", 2)[0]
        assert dates.client_settings()["calendar"] == "gregorian"


@pytest.mark.parametrize("language, shown", [
    ("en", "24 Aqrab 1402"), ("prs", "۲۴ عقرب ۱۴۰۲"), ("ps", "۲۴ لړم ۱۴۰۲")])
def test_solar_hijri_days_in_each_language(app, language, shown):
    with app.test_request_context(headers={"Cookie": f"{COOKIE}={language}"}):
        assert dates.day("2023-11-15", "solar_hijri") == shown


def test_month_names_in_every_language_and_calendar(app):
    for language in ("en", "prs", "ps"):
        with app.test_request_context(headers={"Cookie": f"{COOKIE}={language}"}):
            for calendar in ("gregorian", "solar_hijri"):
                names = dates.month_names(calendar)
                assert len(set(names)) == 12
                if language != "en":
                    assert not any(ENGLISH_MONTHS.search(n) for n in names), (language, names)
                    assert not any(re.search(r"[A-Za-z]", n) for n in names)
    with app.test_request_context(headers={"Cookie": f"{COOKIE}=ps"}):
        assert dates.month("2023-11-15", "gregorian") == "نومبر ۲۰۲۳"
        assert dates.month("2023-11-15", "solar_hijri") == "لړم ۱۴۰۲"


def test_a_person_chooses_their_calendar_and_every_page_date_follows(signed_in_client,
                                                                     session):
    admin, user = signed_in_client("admin")
    user.last_sign_in_at = MOMENT
    session.flush()
    page = admin.get("/account", headers=HTML).get_data(as_text=True)
    assert "15 Nov 2023 14:03 UTC" in page
    assert 'value="gregorian" checked' in page

    answer = admin.post("/account/calendar", data={"calendar": "solar_hijri",
                                                   "csrf_token": csrf_of(admin)}, headers=HTML)
    assert answer.status_code == 303
    session.refresh(user)
    assert user.calendar == "solar_hijri"
    page = admin.get("/account", headers=HTML).get_data(as_text=True)
    assert "24 Aqrab 1402 14:03 UTC" in page and "Nov 2023" not in page
    assert 'value="solar_hijri" checked' in page
    users = admin.get("/admin/users", headers=HTML).get_data(as_text=True)
    assert "24 Aqrab 1402 14:03 UTC" in users
    block = re.search(r'<script type="application/json" id="nz-dates">(.*?)</script>', page)
    assert json.loads(block.group(1)) == {"calendar": "solar_hijri", "digits": "latn",
                                          "months": dates.month_names("solar_hijri")}

    # In Dari the chosen Gregorian calendar has its Dari month names.
    admin.post("/account/calendar", data={"calendar": "gregorian",
                                          "csrf_token": csrf_of(admin)}, headers=HTML)
    admin.set_cookie(COOKIE, "prs")
    refresh()  # the tests' app context outlives a request: forget its English locale
    page = admin.get("/account", headers=HTML).get_data(as_text=True)
    assert "۱۵ نومبر ۲۰۲۳ ۱۴:۰۳ UTC" in page and "عقرب" not in page


def test_an_unknown_calendar_is_refused(signed_in_client, session):
    client, user = signed_in_client("monitor")
    answer = client.post("/account/calendar", data={"calendar": "julian",
                                                    "csrf_token": csrf_of(client)},
                         headers=HTML)
    assert answer.status_code == 422
    assert 'id="calendar-error"' in answer.get_data(as_text=True)
    session.refresh(user)
    assert user.calendar is None
    # A blank choice goes back to the language's usual calendar.
    client.post("/account/calendar", data={"calendar": "solar_hijri",
                                           "csrf_token": csrf_of(client)}, headers=HTML)
    client.post("/account/calendar", data={"calendar": "", "csrf_token": csrf_of(client)},
                headers=HTML)
    session.refresh(user)
    assert user.calendar is None
