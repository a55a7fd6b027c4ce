"""A deadline counted into a year whose 调休 nobody knows yet is provisional, and is counted
again (with a line in the case's timeline) once an administrator enters the year."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from monitoring.models import CalendarDay, CalendarYear
from services.cases import change_status, open_case
from services.deadlines import check_case_deadlines
from services.models import CaseStatus, EventKind
from tests.households.factories import default_tier
from tests.monitoring.factories import at

pytestmark = [pytest.mark.django_db, pytest.mark.dates, pytest.mark.usefixtures("year_nobody_knows")]
D = datetime.date


@pytest.fixture
def yellow_case(people):
    """A yellow household's problem, reported on 3 February 2027: seven working days."""
    assert people.household.tier == default_tier("yellow")
    with time_machine.travel(at(D(2027, 2, 3)), tick=False):
        return open_case(
            household=people.household,
            category="dispute",
            description="漏水",
            urgency="normal",
            by=people.worker,
        )


def enter_2027():
    """What the State Council's notice might say: 春节 9-11 Feb off too, Saturday 13 Feb worked."""
    year = CalendarYear.objects.create(year=2027, source="国务院办公厅通知（测试）")
    for day in (5, 6, 7, 8, 9, 10, 11):
        CalendarDay.objects.create(calendar=year, date=D(2027, 2, day), is_workday=False, name="春节")
    CalendarDay.objects.create(calendar=year, date=D(2027, 2, 13), is_workday=True, name="春节调休")


def test_a_deadline_in_an_unknown_year_keeps_the_statutory_holidays_and_is_provisional(yellow_case):
    # 4 Feb, then the law's 春节 (5-8 Feb, with the weekend), then 9, 10, 11, 12, 15, 16.
    assert (yellow_case.due_on, yellow_case.due_provisional) == (D(2027, 2, 16), True)
    assert (yellow_case.due_counted_from, yellow_case.due_working_days) == (D(2027, 2, 3), 7)


def test_once_the_year_is_entered_the_hourly_job_counts_it_again_and_says_so(yellow_case, people, client):
    enter_2027()

    with time_machine.travel(at(D(2027, 2, 4), 9), tick=False):
        check_case_deadlines()
        check_case_deadlines()  # a second run changes nothing more

    yellow_case.refresh_from_db()
    assert (yellow_case.due_on, yellow_case.due_provisional) == (D(2027, 2, 18), False)
    (recount,) = yellow_case.events.filter(kind=EventKind.DEADLINE)
    assert "2027-02-16" in recount.text and "2027-02-18" in recount.text and recount.by is None
    client.force_login(people.staff)
    page = client.get(reverse("services:case", args=[yellow_case.pk]))
    assert page.context["case"].due_on == D(2027, 2, 18)
    html = page.content.decode()
    assert "2027-02-18</dd>" in html  # no 暂定 badge beside it any more
    assert "期限已按官方日历重新计算：2027-02-16 改为 2027-02-18。" in html


def test_a_deadline_that_stays_the_same_is_confirmed_and_no_longer_provisional(people):
    red = people.outside
    with time_machine.travel(at(D(2026, 12, 30)), tick=False):
        case = open_case(
            household=red, category="dispute", description="漏水", urgency="normal", by=people.staff
        )
    assert (case.due_on, case.due_provisional) == (D(2027, 1, 5), True)  # 31 Dec, 4 and 5 Jan
    CalendarYear.objects.create(year=2027)  # entered: nothing special but 元旦
    CalendarDay.objects.create(
        calendar=CalendarYear.objects.get(year=2027), date=D(2027, 1, 1), is_workday=False
    )

    with time_machine.travel(at(D(2026, 12, 31), 9), tick=False):
        check_case_deadlines()

    case.refresh_from_db()
    assert (case.due_on, case.due_provisional) == (D(2027, 1, 5), False)
    assert case.events.get(kind=EventKind.DEADLINE).text.startswith("期限已按官方日历确认")


def test_closed_cases_and_final_deadlines_are_left_alone(yellow_case, people):
    change_status(case=yellow_case, status=CaseStatus.RESOLVED, by=people.worker, note="已修好")
    enter_2027()

    with time_machine.travel(at(D(2027, 2, 4), 9), tick=False):
        check_case_deadlines()

    yellow_case.refresh_from_db()
    assert (yellow_case.due_on, yellow_case.due_provisional) == (D(2027, 2, 16), True)
    assert not yellow_case.events.filter(kind=EventKind.DEADLINE).exists()


def test_a_reopened_case_is_counted_from_the_day_it_was_reopened(yellow_case, people):
    change_status(case=yellow_case, status=CaseStatus.RESOLVED, by=people.worker, note="已修好")
    with time_machine.travel(at(D(2027, 2, 12)), tick=False):
        change_status(case=yellow_case, status=CaseStatus.REOPENED, by=people.staff, note="又漏了")

    yellow_case.refresh_from_db()
    assert yellow_case.due_counted_from == D(2027, 2, 12)
    assert (yellow_case.due_on, yellow_case.due_provisional) == (D(2027, 2, 23), True)
