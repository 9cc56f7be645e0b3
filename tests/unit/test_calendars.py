"""The calendar arithmetic (server/core/calendars.py): Solar Hijri days and month starts as
Afghanistan's official calendar has them (fixed dates from its almanac: Nowruz, the leap day
of 1403), and the histogram's days summed per month."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from server.core import calendars
from server.core.calendars import GREGORIAN, SOLAR_HIJRI


@pytest.mark.parametrize("gregorian, solar", [
    (date(2023, 11, 15), (1402, 8, 24)),   # 24 Aqrab 1402
    (date(2024, 3, 20), (1403, 1, 1)),     # Nowruz 1403
    (date(2025, 3, 20), (1403, 12, 30)),   # 1403 is a leap year: Hut has 30 days
    (date(2025, 3, 21), (1404, 1, 1)),     # Nowruz 1404
    (date(2026, 12, 5), (1405, 9, 14)),
    (date(2000, 1, 1), (1378, 10, 11)),
])
def test_solar_hijri_days(gregorian, solar):
    assert calendars.parts(gregorian, SOLAR_HIJRI) == solar
    assert calendars.parts(gregorian, GREGORIAN) == (gregorian.year, gregorian.month,
                                                     gregorian.day)


def test_a_moment_is_its_day_and_an_unknown_calendar_is_refused():
    assert calendars.parts(datetime(2025, 3, 21, 23, 0, tzinfo=timezone.utc),
                           SOLAR_HIJRI) == (1404, 1, 1)
    with pytest.raises(ValueError):
        calendars.parts(date(2025, 1, 1), "julian")


def test_month_starts():
    assert calendars.month_start(date(2023, 11, 15), SOLAR_HIJRI) == date(2023, 10, 23)
    assert calendars.month_start(date(2023, 11, 15), GREGORIAN) == date(2023, 11, 1)
    assert calendars.month_start(date(2025, 3, 20), SOLAR_HIJRI) == date(2025, 2, 19)


def test_days_summed_per_solar_month():
    days = [["2023-10-22", 2], ["2023-10-23", 3], [date(2023, 11, 21), 4],
            ["2023-11-22", 1], ["2023-12-01", 0]]
    # 30 Mizan | 1 Aqrab .. 30 Aqrab | 1 Qaws ...
    assert calendars.months_of(days, SOLAR_HIJRI) == [
        ["2023-09-23", 2], ["2023-10-23", 7], ["2023-11-22", 1]]
    assert calendars.months_of(days, GREGORIAN) == [
        ["2023-10-01", 5], ["2023-11-01", 5]]
