"""Visit periods: the stretch of days in which one visit satisfies a tier's cadence.

All periods are calendar periods in Asia/Shanghai, the same for every household, so a
whole cadence's current period is computed once and the follow-ups for it are written in
one statement. A follow-up is due on the last day of its period.
"""

import datetime
from collections.abc import Iterator
from typing import NamedTuple

from monitoring.models.tiers import Cadence

# "Every two weeks" runs in fixed blocks counted from this Monday, so that a household's
# fortnight does not depend on when it became orange (东川's 橙 tier).
BIWEEKLY_ANCHOR = datetime.date(2024, 1, 1)
assert BIWEEKLY_ANCHOR.weekday() == 0


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The instant a day begins in Asia/Shanghai (the project's "today"), for comparing
    with stored UTC datetimes."""
    from django.utils import timezone

    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


class Period(NamedTuple):
    start: datetime.date
    end: datetime.date


def period_containing(cadence: str, day: datetime.date) -> Period:
    if cadence == Cadence.DAILY:
        return Period(day, day)
    if cadence == Cadence.WEEKLY:
        start = day - datetime.timedelta(days=day.weekday())
        return Period(start, start + datetime.timedelta(days=6))
    if cadence == Cadence.BIWEEKLY:
        start = day - datetime.timedelta(days=(day - BIWEEKLY_ANCHOR).days % 14)
        return Period(start, start + datetime.timedelta(days=13))
    if cadence == Cadence.MONTHLY:
        start = day.replace(day=1)
        return Period(start, _next_month(start) - datetime.timedelta(days=1))
    if cadence == Cadence.QUARTERLY:
        start = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        end = _next_month(_next_month(_next_month(start))) - datetime.timedelta(days=1)
        return Period(start, end)
    raise ValueError(f"Unknown cadence {cadence!r}")


def periods_between(cadence: str, first: datetime.date, last: datetime.date) -> Iterator[Period]:
    """Every period that overlaps [first, last], in order."""
    period = period_containing(cadence, first)
    while period.start <= last:
        yield period
        period = period_containing(cadence, period.end + datetime.timedelta(days=1))


def _next_month(first_of_month: datetime.date) -> datetime.date:
    if first_of_month.month == 12:
        return datetime.date(first_of_month.year + 1, 1, 1)
    return datetime.date(first_of_month.year, first_of_month.month + 1, 1)
