"""Periods: day, ISO week, fixed fortnight, month, quarter; due on the last day."""

import datetime

import pytest

from monitoring.periods import BIWEEKLY_ANCHOR, Period, period_containing, periods_between

D = datetime.date


@pytest.mark.parametrize(
    ("cadence", "day", "period"),
    [
        ("daily", D(2026, 3, 1), Period(D(2026, 3, 1), D(2026, 3, 1))),
        ("weekly", D(2026, 3, 1), Period(D(2026, 2, 23), D(2026, 3, 1))),  # a Sunday ends its week
        ("weekly", D(2026, 3, 2), Period(D(2026, 3, 2), D(2026, 3, 8))),  # the Monday after starts one
        ("weekly", D(2026, 1, 1), Period(D(2025, 12, 29), D(2026, 1, 4))),  # across the new year
        ("monthly", D(2024, 2, 29), Period(D(2024, 2, 1), D(2024, 2, 29))),  # leap day
        ("monthly", D(2026, 2, 28), Period(D(2026, 2, 1), D(2026, 2, 28))),
        ("monthly", D(2026, 12, 31), Period(D(2026, 12, 1), D(2026, 12, 31))),
        ("quarterly", D(2026, 3, 31), Period(D(2026, 1, 1), D(2026, 3, 31))),
        ("quarterly", D(2026, 4, 1), Period(D(2026, 4, 1), D(2026, 6, 30))),
        ("quarterly", D(2026, 12, 31), Period(D(2026, 10, 1), D(2026, 12, 31))),
        ("biweekly", BIWEEKLY_ANCHOR, Period(D(2024, 1, 1), D(2024, 1, 14))),
        ("biweekly", D(2024, 1, 15), Period(D(2024, 1, 15), D(2024, 1, 28))),
        ("biweekly", D(2026, 11, 25), Period(D(2026, 11, 16), D(2026, 11, 29))),
    ],
)
def test_a_day_falls_in_exactly_one_period(cadence, day, period):
    assert period_containing(cadence, day) == period


def test_periods_tile_the_calendar_without_gaps():
    for cadence in ["daily", "weekly", "biweekly", "monthly", "quarterly"]:
        periods = list(periods_between(cadence, D(2023, 12, 20), D(2026, 2, 10)))
        for before, after in zip(periods, periods[1:]):
            assert after.start == before.end + datetime.timedelta(days=1)


def test_an_unknown_cadence_is_refused():
    with pytest.raises(ValueError, match="hourly"):
        period_containing("hourly", D(2026, 1, 1))
