"""Reading submission text with the mapping's kinds."""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from server.forms.fields import convert


def test_values_of_each_kind():
    assert convert("int", "12") == 12
    assert convert("decimal", "3.25") == 3.25
    assert convert("date", "2025-06-01") == date(2025, 6, 1)
    assert convert("datetime", "2025-06-01T09:30:00.000+04:30") == datetime(
        2025, 6, 1, 9, 30, tzinfo=timezone(timedelta(hours=4, minutes=30)))
    assert convert("geopoint", "34.66667 61.06667 912.0 8.5") == (61.06667, 34.66667)
    assert convert("geopoint_accuracy", "34.66667 61.06667 912.0 8.5") == 8.5
    assert convert("geopoint_accuracy", "34.66667 61.06667") is None
    assert convert("yes_no", "yes") is True and convert("yes_no", "no") is False
    assert convert("uuid", "5f0b5a3e-2c55-4d1e-9d86-9e6f2f1f4b10") == uuid.UUID(
        "5f0b5a3e-2c55-4d1e-9d86-9e6f2f1f4b10")


@pytest.mark.parametrize("text", [None, "", "   "])
def test_empty_means_not_answered(text):
    assert convert("int", text) is None


@pytest.mark.parametrize("kind, text", [
    ("int", "3.5"), ("int", "many"), ("decimal", "x"), ("decimal", "nan"), ("decimal", "inf"), ("date", "01/06/2025"),
    ("datetime", "2025-06-01T09:30:00"), ("geopoint", "95 10"), ("geopoint", "34.1"),
    ("yes_no", "maybe"), ("uuid", "facility-1")])
def test_text_that_does_not_fit_is_refused(kind, text):
    with pytest.raises(ValueError, match=f"is not a valid {kind}"):
        convert(kind, text)
