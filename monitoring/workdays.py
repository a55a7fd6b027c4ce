"""Working days on the official mainland-China calendar, for response deadlines.

Order of authority for a day: an administrator's entry (CalendarDay) for its year; then
the chinesecalendar package, which knows the official schedules with 调休 and raises for
a year it does not know; then, for a year nobody knows yet, what the law fixes: the
statutory holidays (全国年节及纪念日放假办法, computed for any year by the holidays
package) and weekends off. The State Council's 调休 for that year (bridging days off,
weekends worked) is not known until its notice, so such a result is marked provisional;
open cases counted so are counted again once the year is known
(services.deadlines.recount_provisional_deadlines).
"""

import datetime
import functools
from typing import NamedTuple

import chinese_calendar
import holidays

from monitoring.models import CalendarDay, CalendarYear


class Deadline(NamedTuple):
    due: datetime.date
    provisional: bool


@functools.cache
def statutory_holidays(year: int) -> frozenset[datetime.date]:
    """The days the law gives off in ``year`` (元旦, 春节 from its eve, 清明, 劳动节 two days,
    端午, 中秋, 国庆 three days), without the days the State Council moves around them.

    For a year whose notice it knows, the package adds the bridging days off (but not the
    weekends worked in their place): those are left out, so that the answer stays the
    law's alone whatever the package's release knows."""
    days = holidays.China(years=year, observed=False, categories=(holidays.PUBLIC,), language="en_US")
    return frozenset(day for day, name in days.items() if not name.startswith("Day off (substituted"))


class WorkingCalendar:
    """Answers for a run of years, reading the administrators' entries once: many
    deadlines counted with one of these cost two queries in all."""

    def __init__(self, years: range):
        self.entered_years = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
        self.entries = dict(
            CalendarDay.objects.filter(date__year__in=years).values_list("date", "is_workday")
        )

    def is_workday(self, day: datetime.date) -> tuple[bool, bool]:
        """(is a working day, provisional)."""
        if day in self.entries:
            return self.entries[day], False
        if day.year in self.entered_years:
            return day.weekday() < 5, False
        try:
            return chinese_calendar.is_workday(day), False
        except NotImplementedError:
            return day.weekday() < 5 and day not in statutory_holidays(day.year), True

    def add_working_days(self, start: datetime.date, days: int) -> Deadline:
        """The date ``days`` working days after ``start`` (start itself not counted); the
        calendar must cover ``start``'s year and the next."""
        if days < 1:
            raise ValueError("A deadline is at least one working day.")
        day, counted, provisional = start, 0, False
        while counted < days:
            day += datetime.timedelta(days=1)
            working, guessed = self.is_workday(day)
            provisional |= guessed
            counted += working
        return Deadline(day, provisional)


def add_working_days(start: datetime.date, days: int) -> Deadline:
    """The date ``days`` working days after ``start`` (start itself not counted).

    A request made on the Friday before the Spring Festival with 3 working days is due
    on the third working day after the holiday, counting a 调休 Saturday if one falls
    in between.
    """
    # Long holidays are at most nine days; a year's margin covers any deadline we set.
    return WorkingCalendar(range(start.year, start.year + 2)).add_working_days(start, days)
