"""Deadlines in working days on the official calendar, with 调休 and admin entries."""

import datetime

import pytest

from monitoring.models import CalendarDay, CalendarYear
from monitoring.workdays import Deadline, add_working_days

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def test_a_plain_week():
    assert add_working_days(D(2026, 3, 2), 3) == Deadline(D(2026, 3, 5), False)
    assert add_working_days(D(2026, 3, 6), 3) == Deadline(D(2026, 3, 11), False)  # over a weekend


def test_spring_festival_2026_skips_the_holiday_and_counts_the_tiaoxiu_saturdays():
    # Friday 13 Feb; Saturday 14 Feb is worked (调休); 15-23 Feb are the holiday.
    assert add_working_days(D(2026, 2, 13), 3) == Deadline(D(2026, 2, 25), False)
    assert add_working_days(D(2026, 2, 13), 1) == Deadline(D(2026, 2, 14), False)
    # Seven working days from the Thursday before: 13, 14, 24, 25, 26, 27 and Saturday 28 (调休).
    assert add_working_days(D(2026, 2, 12), 7) == Deadline(D(2026, 2, 28), False)


def test_national_day_2026():
    # Sunday 20 Sep and Saturday 10 Oct are worked; 1-7 Oct are off.
    assert add_working_days(D(2026, 9, 19), 1) == Deadline(D(2026, 9, 20), False)
    assert add_working_days(D(2026, 9, 30), 3) == Deadline(D(2026, 10, 10), False)


def test_a_year_nobody_knows_keeps_the_statutory_holidays_and_is_provisional(year_nobody_knows):
    # 2027 is not in the package: the law's days are off all the same, 调休 unknown.
    assert add_working_days(D(2026, 12, 31), 1) == Deadline(D(2027, 1, 4), True)  # 元旦 on a Friday
    # 春节 2027: the eve (Friday 5 Feb) to the third day (Monday 8 Feb).
    assert add_working_days(D(2027, 2, 4), 3) == Deadline(D(2027, 2, 11), True)
    assert add_working_days(D(2027, 4, 30), 1) == Deadline(D(2027, 5, 3), True)  # 劳动节 on a weekend
    assert add_working_days(D(2027, 9, 30), 1) == Deadline(D(2027, 10, 4), True)  # 国庆节 1-3 Oct


def test_the_statutory_holidays_are_computed_for_any_year():
    from monitoring.workdays import statutory_holidays

    days = statutory_holidays(2030)
    assert len(days) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3 days, as the law of 2024 lists them
    assert {D(2030, 1, 1), D(2030, 2, 2), D(2030, 5, 2), D(2030, 9, 12), D(2030, 10, 3)} <= days
    # 中秋 on 1 October in 2031: one day off for two festivals, by the law alone.
    assert len(statutory_holidays(2031)) == 12
    # For a year whose notice the package knows it adds the bridging days off, not the
    # weekends worked for them: the law's days alone are kept.
    assert len(statutory_holidays(2026)) == 13 and D(2026, 10, 6) not in statutory_holidays(2026)


def test_an_administrators_entries_win_and_make_the_year_known():
    year = CalendarYear.objects.create(year=2027, source="国务院办公厅通知")
    CalendarDay.objects.create(calendar=year, date=D(2027, 2, 8), is_workday=False, name="春节")
    CalendarDay.objects.create(calendar=year, date=D(2027, 2, 6), is_workday=True, name="春节调休")

    assert add_working_days(D(2027, 2, 5), 3) == Deadline(D(2027, 2, 10), False)


def test_an_entry_overrides_the_package_in_a_known_year():
    year = CalendarYear.objects.create(year=2026)
    CalendarDay.objects.create(calendar=year, date=D(2026, 3, 3), is_workday=False, name="地方节日")

    assert add_working_days(D(2026, 3, 2), 1) == Deadline(D(2026, 3, 4), False)


def test_a_deadline_is_at_least_one_day():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 3, 2), 0)
