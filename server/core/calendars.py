"""The two calendars a person may read dates in: Gregorian, and the Solar Hijri calendar that
is official in Afghanistan (its months named after the zodiac there: Hamal ... Hut).

Only arithmetic lives here (which Solar Hijri year, month and day a Gregorian date is, where a
month starts); the words and digits a page shows are server/web/dates.py's and, in the browser,
static/js/dates.js's. The Solar Hijri arithmetic is jdatetime's (PyPI), which agrees day for day
with the ICU calendar Chromium uses for `Intl.DateTimeFormat(..., {calendar: "persian"})`
(tests/unit/test_calendars.py holds the check for 1950-2100 against fixed dates, and the browser
test compares both sides). Stored dates and every export stay ISO 8601 Gregorian.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import jdatetime

GREGORIAN = "gregorian"
SOLAR_HIJRI = "solar_hijri"
CALENDARS = (GREGORIAN, SOLAR_HIJRI)


def parts(day: date, calendar: str) -> tuple[int, int, int]:
    """(year, month 1-12, day) of a Gregorian date in `calendar`."""
    if isinstance(day, datetime):
        day = day.date()
    if calendar == SOLAR_HIJRI:
        solar = jdatetime.date.fromgregorian(date=day)
        return solar.year, solar.month, solar.day
    if calendar == GREGORIAN:
        return day.year, day.month, day.day
    raise ValueError(f"unknown calendar {calendar!r}")


def month_start(day: date, calendar: str) -> date:
    """The Gregorian date on which the month holding `day` (in `calendar`) begins."""
    if isinstance(day, datetime):
        day = day.date()
    return day - timedelta(days=parts(day, calendar)[2] - 1)


def months_of(days, calendar: str) -> list[list]:
    """[[day, n], ...] (ISO or date days, any order) summed per month of `calendar`:
    [[ISO date the month begins, n], ...] in order, months without a count left out."""
    totals: dict[date, int] = {}
    for day, n in days:
        key = month_start(date.fromisoformat(day) if isinstance(day, str) else day, calendar)
        totals[key] = totals.get(key, 0) + n
    return [[key.isoformat(), n] for key, n in sorted(totals.items()) if n]
