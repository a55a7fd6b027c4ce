"""Recording a visit closes the follow-up of the period it falls in; bad visits are refused."""

import datetime
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError

from monitoring.followups import generate_follow_ups, record_visit
from monitoring.models import FollowUp, Visit
from tests.grids.factories import UserFactory
from tests.households.factories import HouseholdFactory, default_tier
from tests.monitoring.factories import at

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
D = datetime.date
TODAY = D(2026, 3, 11)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(at(TODAY, 15), tick=False):
        yield


@pytest.fixture
def red(grid):
    household = HouseholdFactory(unit=grid.building_1, tier=default_tier("red"), relocated_on=D(2020, 5, 1))
    generate_follow_ups()
    return household


def visit(household, when, **kwargs):
    worker = UserFactory(username="worker")
    return record_visit(household=household, by=worker, visited_at=when, mode="door", **kwargs).visit


def test_a_visit_closes_the_open_follow_up(red):
    v = visit(red, at(TODAY, 9))

    follow_up = FollowUp.objects.get(household=red)
    assert (follow_up.status, follow_up.visit) == ("done", v)


def test_a_late_visit_for_a_missed_day_turns_it_done_and_leaves_today_open(red):
    with time_machine.travel(at(D(2026, 3, 12), 8), tick=False):
        generate_follow_ups()
        visit(red, at(TODAY, 18))  # logged offline yesterday evening, uploaded today

    statuses = dict(FollowUp.objects.filter(household=red).values_list("period_start", "status"))
    assert statuses == {TODAY: "done", D(2026, 3, 12): "open"}


def test_an_extra_visit_is_kept(red):
    visit(red, at(TODAY, 9))
    visit(red, at(TODAY, 14))

    assert Visit.objects.filter(household=red).count() == 2
    assert FollowUp.objects.get(household=red).status == "done"


def test_the_same_key_twice_records_one_visit(red):
    key = uuid.uuid4()

    first = visit(red, at(TODAY, 9), key=key)
    again = visit(red, at(TODAY, 9), key=key)

    assert first == again
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    ("when", "field"),
    [
        (at(D(2026, 3, 12), 9), "visited_at"),  # tomorrow
        (at(D(2020, 4, 30), 9), "visited_at"),  # before the household moved in
    ],
)
def test_impossible_dates_are_refused(red, when, field):
    with pytest.raises(ValidationError) as raised:
        visit(red, when)

    assert field in raised.value.message_dict
    assert not Visit.objects.exists()


def test_a_moved_out_household_takes_no_visits(red):
    red.status, red.moved_out_on = "moved_out", D(2026, 3, 1)
    red.save()

    with pytest.raises(ValidationError) as raised:
        visit(red, at(TODAY, 9))

    assert "household" in raised.value.message_dict
    assert not Visit.objects.exists()


def test_an_unknown_mode_is_refused(red):
    with pytest.raises(ValidationError) as raised:
        record_visit(household=red, by=UserFactory(), visited_at=at(TODAY, 9), mode="carrier-pigeon")

    assert "mode" in raised.value.message_dict
    assert not Visit.objects.exists()
