"""An urgent case is answered sooner: its deadline at each level is CASE_URGENT_WORKING_DAYS
(1) working days, whatever its household's tier allows; a normal one keeps its tier's."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from services.cases import open_case
from services.deadlines import check_case_deadlines
from services.models import CaseLevel
from tests.households.factories import default_tier

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

WEDNESDAY = datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def opened(people, urgency):
    with time_machine.travel(WEDNESDAY, tick=False):
        return open_case(
            household=people.household,
            category="dispute",
            description="漏水",
            urgency=urgency,
            by=people.worker,
        )


def test_an_urgent_case_is_due_the_next_working_day_and_a_normal_one_in_its_tiers_days(people):
    people.household.tier = default_tier("green")  # seven working days
    people.household.save()

    urgent, normal = opened(people, "urgent"), opened(people, "normal")

    assert (urgent.due_on, urgent.due_working_days) == (datetime.date(2026, 11, 26), 1)
    assert normal.due_on == datetime.date(2026, 12, 4)


def test_the_urgent_days_are_a_setting(people, settings):
    settings.CASE_URGENT_WORKING_DAYS = 2

    case = opened(people, "urgent")  # over a weekend: Thursday, Friday

    assert case.due_on == datetime.date(2026, 11, 27)


def test_an_urgent_case_never_gets_longer_than_its_tier_allows(people, settings):
    settings.CASE_URGENT_WORKING_DAYS = 10
    people.household.tier = default_tier("red")  # three working days

    assert opened(people, "urgent").due_working_days == 3


def test_a_late_urgent_case_goes_up_a_level_with_an_urgent_deadline_again(people):
    people.household.tier = default_tier("green")
    people.household.save()
    case = opened(people, "urgent")

    check_case_deadlines(datetime.date(2026, 11, 27))
    case.refresh_from_db()

    assert case.level == CaseLevel.COMMUNITY
    assert (case.due_on, case.due_working_days) == (datetime.date(2026, 11, 30), 1)


def test_the_report_form_says_how_soon_an_urgent_problem_is_answered(client, people):
    client.force_login(people.worker)

    html = client.get(reverse("services:report", args=[people.household.pk])).content.decode()

    assert "紧急问题须在1个工作日内答复。" in html
