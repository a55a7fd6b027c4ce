"""Deadlines in working days on the official calendar, with 调休 and admin entries."""

import datetime

import pytest

from monitoring.models import CalendarDay, CalendarYear
from monitoring.workdays import Deadline, add_working_days

D = datetime.date
pytestmark = pytest.mark.django_db


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


def test_a_year_nobody_knows_is_weekdays_and_provisional():
    deadline = add_working_days(D(2027, 2, 5), 3)

    assert deadline == Deadline(D(2027, 2, 10), True)


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
