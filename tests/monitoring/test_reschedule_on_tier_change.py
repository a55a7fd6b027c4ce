"""A tier change re-plans the household's follow-up under the new cadence."""

import datetime

import pytest
import time_machine

from monitoring.followups import generate_follow_ups
from monitoring.models import FollowUp
from monitoring.services import change_tier
from tests.grids.factories import UserFactory
from tests.households.factories import HouseholdFactory, default_tier
from tests.monitoring.factories import at

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
D = datetime.date
WEDNESDAY = D(2026, 3, 11)


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(at(WEDNESDAY, 10), tick=False):
        yield


@pytest.fixture
def green(grid):
    household = HouseholdFactory(unit=grid.building_1, tier=default_tier("green"))
    generate_follow_ups()
    return household


def follow_ups(household):
    return list(
        FollowUp.objects.filter(household=household)
        .order_by("id")
        .values_list("period_start", "due_on", "status", "cancel_reason")
    )


def test_raised_to_red_it_is_due_today_and_the_monthly_one_is_cancelled_with_the_reason(green):
    change_tier(household=green, tier=default_tier("red"), reason="突发重病", by=None)

    (monthly, daily) = follow_ups(green)
    assert monthly[:3] == (D(2026, 3, 1), D(2026, 3, 31), "cancelled")
    assert "红" in monthly[3]
    assert daily == (WEDNESDAY, WEDNESDAY, "open", "")


def test_lowered_to_green_it_returns_to_the_monthly_period(green):
    change_tier(household=green, tier=default_tier("red"), reason="突发重病", by=None)
    change_tier(household=green, tier=default_tier("green"), reason="已落实救助", by=None)

    statuses = [(f[0], f[2]) for f in follow_ups(green)]
    assert statuses == [(D(2026, 3, 1), "cancelled"), (WEDNESDAY, "cancelled"), (D(2026, 3, 1), "open")]
    assert FollowUp.objects.filter(household=green, status="open").count() == 1


def test_the_next_run_keeps_the_new_cadence(green):
    change_tier(household=green, tier=default_tier("red"), reason="突发重病", by=None)

    with time_machine.travel(at(D(2026, 3, 12), 1), tick=False):
        generate_follow_ups()

    open_one = FollowUp.objects.get(household=green, status="open")
    assert (open_one.period_start, open_one.due_on) == (D(2026, 3, 12), D(2026, 3, 12))
    assert FollowUp.objects.get(household=green, period_start=WEDNESDAY).status == "missed"


def test_a_done_weekly_follow_up_does_not_hold_back_the_new_daily_ones(grid):
    from monitoring.followups import record_visit

    yellow = HouseholdFactory(unit=grid.building_1, tier=default_tier("yellow"))
    generate_follow_ups()
    record_visit(household=yellow, by=UserFactory(), visited_at=at(WEDNESDAY, 9), mode="door")
    change_tier(household=yellow, tier=default_tier("red"), reason="突发重病", by=None)

    with time_machine.travel(at(D(2026, 3, 12), 1), tick=False):
        generate_follow_ups()

    statuses = [(f[0], f[1], f[2]) for f in follow_ups(yellow)]
    assert statuses == [
        (D(2026, 3, 9), D(2026, 3, 15), "done"),  # this week's visit stays counted
        (WEDNESDAY, WEDNESDAY, "done"),  # the visit counts for the new daily period too
        (D(2026, 3, 12), D(2026, 3, 12), "open"),
    ]


# Lowered to a less frequent cadence in mid-period: the rows of the old cadence that
# start inside the new cadence's current period do not cover it.


def four_colour(grid, code):
    from monitoring.models import TierScheme, UnitTierScheme

    scheme = TierScheme.objects.get(code="four-colour")
    UnitTierScheme.objects.get_or_create(unit=grid.community, scheme=scheme)
    return scheme.tiers.get(code=code)


def test_lowered_from_red_after_monday_it_owes_this_weeks_visit_at_once(grid):
    red = HouseholdFactory(unit=grid.building_1, tier=default_tier("red"))
    for day in (9, 10):  # Monday and Tuesday as a red household: missed, then the 11th
        with time_machine.travel(at(D(2026, 3, day), 1), tick=False):
            generate_follow_ups()
    generate_follow_ups()

    change_tier(household=red, tier=default_tier("yellow"), reason="情况好转", by=None)

    statuses = [(f[0], f[1], f[2]) for f in follow_ups(red)]
    assert statuses == [
        (D(2026, 3, 9), D(2026, 3, 9), "missed"),
        (D(2026, 3, 10), D(2026, 3, 10), "missed"),
        (WEDNESDAY, WEDNESDAY, "cancelled"),
        (D(2026, 3, 9), D(2026, 3, 15), "open"),
    ]


def test_lowered_with_a_visit_already_made_this_week_it_is_done_at_once(grid):
    red = HouseholdFactory(unit=grid.building_1, tier=default_tier("red"))
    with time_machine.travel(at(D(2026, 3, 9), 1), tick=False):
        generate_follow_ups()
    from monitoring.followups import record_visit

    record_visit(household=red, by=UserFactory(), visited_at=at(D(2026, 3, 9), 15), mode="door")
    generate_follow_ups()

    change_tier(household=red, tier=default_tier("yellow"), reason="情况好转", by=None)

    weekly = FollowUp.objects.get(household=red, period_start=D(2026, 3, 9), period_end=D(2026, 3, 15))
    assert weekly.status == "done" and weekly.visit.visited_at == at(D(2026, 3, 9), 15)
    assert not FollowUp.objects.filter(household=red, status="open").exists()


def test_lowered_from_yellow_after_the_first_week_of_a_month_it_owes_the_month(grid):
    yellow = HouseholdFactory(unit=grid.building_1, tier=default_tier("yellow"))
    with time_machine.travel(at(D(2026, 3, 2), 1), tick=False):
        generate_follow_ups()
    generate_follow_ups()  # the week of the 9th; the first week was missed

    change_tier(household=yellow, tier=default_tier("green"), reason="收入稳定", by=None)

    statuses = [(f[0], f[1], f[2]) for f in follow_ups(yellow)]
    assert statuses == [
        (D(2026, 3, 2), D(2026, 3, 8), "missed"),
        (D(2026, 3, 9), D(2026, 3, 15), "cancelled"),
        (D(2026, 3, 1), D(2026, 3, 31), "open"),
    ]


def test_four_colour_yellow_lowered_to_green_owes_the_quarter(grid):
    yellow = HouseholdFactory(unit=grid.building_1, tier=four_colour(grid, "yellow"))
    with time_machine.travel(at(D(2026, 2, 10), 1), tick=False):
        generate_follow_ups()
    generate_follow_ups()

    change_tier(household=yellow, tier=four_colour(grid, "green"), reason="风险消除", by=None)

    open_one = FollowUp.objects.get(household=yellow, status="open")
    assert (open_one.period_start, open_one.period_end) == (D(2026, 1, 1), D(2026, 3, 31))
    with time_machine.travel(at(D(2026, 3, 12), 1), tick=False):
        assert generate_follow_ups() == 0
