"""Dates as the pages show them: the one formatting home of the server (Jinja filters `day`,
`month`, `when`) and the settings the browser's twin, static/js/dates.js, formats with (the
`nz-dates` JSON block of base.html). No page mixes calendars: every date a person reads on a
page is in the calendar they chose on their account page.

A person's calendar is their own choice (users.calendar), Gregorian until they choose (issue 18:
"Gregorian by default; Solar Hijri for those who pick it"). The Solar Hijri calendar is offered
first to Dari and Pashto readers on the account page, since it is the official calendar of
Afghanistan, the one its offices, newspapers and detention papers date by.
Month names come from the catalogues (Afghanistan's zodiac names for the Solar Hijri months,
the Afghan Gregorian names in Dari and Pashto), digits are the language's (Extended
Arabic-Indic for Dari and Pashto). Machine-readable values (datetime attributes, exports, the
API) stay ISO 8601 Gregorian.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import Flask, has_request_context
from flask_babel import gettext as _
from flask_babel import pgettext

from ..core.access import current_principal
from ..core.calendars import CALENDARS, GREGORIAN, SOLAR_HIJRI, parts
from ..core.db import db
from .i18n import current_language

# The calendar of a person who has not chosen one, per language of the pages.
USUAL = {"en": GREGORIAN, "prs": GREGORIAN, "ps": GREGORIAN}
DIGITS = {"latn": "0123456789", "arabext": "۰۱۲۳۴۵۶۷۸۹"}
LANGUAGE_DIGITS = {"en": "latn", "prs": "arabext", "ps": "arabext"}


def calendar_names() -> dict[str, str]:
    return {GREGORIAN: _("Gregorian calendar"),
            SOLAR_HIJRI: _("Solar Hijri calendar (Hamal, Sawr, … Hut)")}


def month_names(calendar: str) -> list[str]:
    """The twelve months of `calendar` in the page's language."""
    if calendar == SOLAR_HIJRI:
        return [pgettext("Solar Hijri month", "Hamal"), pgettext("Solar Hijri month", "Sawr"),
                pgettext("Solar Hijri month", "Jawza"), pgettext("Solar Hijri month", "Saratan"),
                pgettext("Solar Hijri month", "Asad"), pgettext("Solar Hijri month", "Sunbula"),
                pgettext("Solar Hijri month", "Mizan"), pgettext("Solar Hijri month", "Aqrab"),
                pgettext("Solar Hijri month", "Qaws"), pgettext("Solar Hijri month", "Jadi"),
                pgettext("Solar Hijri month", "Dalw"), pgettext("Solar Hijri month", "Hut")]
    return [_("Jan"), _("Feb"), _("Mar"), _("Apr"), _("May"), _("Jun"), _("Jul"), _("Aug"),
            _("Sep"), _("Oct"), _("Nov"), _("Dec")]


def usual_calendar(language_code: str | None = None) -> str:
    return USUAL.get(language_code or current_language().code, GREGORIAN)


def current_calendar() -> str:
    """The signed-in person's calendar, else the page language's usual one."""
    if has_request_context():
        principal = current_principal()
        if principal.kind == "user":
            from ..accounts.models import User
            user = db.session.get(User, principal.user_id)
            if user is not None and user.calendar in CALENDARS:
                return user.calendar
    return usual_calendar()


def digits(text: str) -> str:
    """`text` with its 0-9 written in the page language's digits."""
    system = DIGITS[LANGUAGE_DIGITS.get(current_language().code, "latn")]
    return text.translate(str.maketrans("0123456789", system))


def _as_day(value) -> date:
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = (value.astimezone(timezone.utc) if value.tzinfo else value).date()
    return value


def day(value, calendar: str | None = None) -> str:
    """'24 Aqrab 1402' / '15 Nov 2023' (a date, an aware datetime read in UTC, or ISO text)."""
    if value in (None, ""):
        return "—"
    calendar = calendar or current_calendar()
    year, month, dd = parts(_as_day(value), calendar)
    return digits(f"{dd} {month_names(calendar)[month - 1]} {year}")


def month(value, calendar: str | None = None) -> str:
    """'Aqrab 1402' / 'Nov 2023'."""
    if value in (None, ""):
        return "—"
    calendar = calendar or current_calendar()
    year, number, _dd = parts(_as_day(value), calendar)
    return digits(f"{month_names(calendar)[number - 1]} {year}")


def when(value, calendar: str | None = None) -> str:
    """A moment as the pages show it: its day in the person's calendar, the time in UTC."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    moment = value.astimezone(timezone.utc) if value.tzinfo else value
    return day(moment, calendar) + " " + digits(moment.strftime("%H:%M")) + " UTC"


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def client_settings() -> dict:
    """What static/js/dates.js formats with (base.html puts it in the nz-dates block)."""
    calendar = current_calendar()
    return {"calendar": calendar, "months": month_names(calendar),
            "digits": LANGUAGE_DIGITS.get(current_language().code, "latn")}


def init_app(app: Flask) -> None:
    for name, function in (("day", day), ("month", month), ("when", when)):
        app.add_template_filter(function, name)
    app.add_template_global(client_settings, "date_settings")
    app.add_template_global(current_calendar)
    app.add_template_global(now_utc)
    app.add_template_global(calendar_names)
