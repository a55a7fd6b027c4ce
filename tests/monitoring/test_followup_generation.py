"""Generation: one open follow-up per active household for its cadence's current period."""

import datetime

import pytest
import time_machine

from grids.models import Role
from households.models import Household
from monitoring.followups import generate_follow_ups
from monitoring.models import FollowUp, TierScheme, UnitTierScheme
from tests.grids.factories import UserFactory
from tests.households.factories import HouseholdFactory, default_tier
from tests.monitoring.factories import VisitFactory, at

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
D = datetime.date
WEDNESDAY = D(2026, 3, 11)


def travel(day):
    return time_machine.travel(at(day, 1), tick=False)


@pytest.fixture
def homes(grid):
    return {
        code: HouseholdFactory(unit=grid.floor_1_1, tier=default_tier(code))
        for code in ["red", "yellow", "green"]
    }


def only(household):
    return FollowUp.objects.get(household=household)


@travel(WEDNESDAY)
def test_each_household_gets_the_period_of_its_cadence(homes):
    created = generate_follow_ups()

    assert created == 3
    assert (only(homes["red"]).period_start, only(homes["red"]).due_on) == (WEDNESDAY, WEDNESDAY)
    assert (only(homes["yellow"]).period_start, only(homes["yellow"]).due_on) == (
        D(2026, 3, 9),
        D(2026, 3, 15),
    )
    assert (only(homes["green"]).period_start, only(homes["green"]).due_on) == (D(2026, 3, 1), D(2026, 3, 31))
    assert {f.status for f in FollowUp.objects.all()} == {"open"}


@travel(WEDNESDAY)
def test_a_second_run_writes_nothing(homes):
    generate_follow_ups()

    assert generate_follow_ups() == 0
    assert FollowUp.objects.count() == 3


@travel(WEDNESDAY)
def test_moved_out_households_get_nothing(grid):
    HouseholdFactory(unit=grid.building_1, status="moved_out", moved_out_on=D(2026, 1, 1))

    assert generate_follow_ups() == 0


@travel(WEDNESDAY)
def test_four_colour_cadences(grid):
    four = TierScheme.objects.get(code="four-colour")
    UnitTierScheme.objects.create(unit=grid.community, scheme=four)
    orange = HouseholdFactory(unit=grid.building_1, tier=four.tiers.get(code="orange"))
    green = HouseholdFactory(unit=grid.building_1, tier=four.tiers.get(code="green"))

    generate_follow_ups()

    assert (
        only(orange).period_start.weekday() == 0
        and (only(orange).due_on - only(orange).period_start).days == 13
    )
    assert (only(green).period_start, only(green).due_on) == (D(2026, 1, 1), D(2026, 3, 31))


@travel(WEDNESDAY)
def test_the_worker_on_the_nearest_unit_is_the_assignee(grid, homes, assign):
    area_worker, building_head, floor_head = UserFactory(), UserFactory(), UserFactory()
    assign(area_worker, grid.area_east, role=Role.FULL_TIME_WORKER)
    assign(building_head, grid.building_1, role=Role.BUILDING_HEAD)
    assign(floor_head, grid.floor_1_1, role=Role.FLOOR_HEAD)
    assign(UserFactory(), grid.floor_1_1, role=Role.GRID_HEAD)  # heads are told, not assigned
    elsewhere = HouseholdFactory(unit=grid.building_2, tier=default_tier("red"))

    generate_follow_ups()

    assert only(homes["red"]).assignee == floor_head
    assert only(elsewhere).assignee == area_worker


@travel(WEDNESDAY)
def test_a_temporary_cover_takes_the_follow_ups(grid, homes, assign):
    regular, cover = UserFactory(), UserFactory()
    assign(regular, grid.floor_1_1, role=Role.FLOOR_HEAD, starts_on=D(2025, 1, 1))
    assign(
        cover,
        grid.floor_1_1,
        role=Role.FLOOR_HEAD,
        covering_for=regular,
        starts_on=D(2026, 3, 9),
        ends_on=D(2026, 3, 20),
    )

    generate_follow_ups()

    assert only(homes["red"]).assignee == cover


def test_catching_up_after_three_days_down_leaves_the_missed_days_visible(homes):
    with travel(D(2026, 3, 8)):
        generate_follow_ups()
    red = homes["red"]
    VisitFactory(household=red, visited_at=at(D(2026, 3, 10)))

    with travel(D(2026, 3, 12)):  # the scheduler was down on the 9th, 10th and 11th
        generate_follow_ups()

    days = {f.period_start: f.status for f in FollowUp.objects.filter(household=red)}
    assert days == {
        D(2026, 3, 8): "missed",
        D(2026, 3, 9): "missed",
        D(2026, 3, 10): "done",
        D(2026, 3, 11): "missed",
        D(2026, 3, 12): "open",
    }
    yellow = {f.period_start: f.status for f in FollowUp.objects.filter(household=homes["yellow"])}
    assert yellow == {D(2026, 3, 2): "missed", D(2026, 3, 9): "open"}
    assert FollowUp.objects.filter(status="open").count() == 3


def test_a_new_household_starts_with_the_current_period(grid):
    with travel(WEDNESDAY):
        household = HouseholdFactory(unit=grid.building_1, tier=default_tier("red"))
        generate_follow_ups()

    assert list(FollowUp.objects.filter(household=household).values_list("period_start", flat=True)) == [
        WEDNESDAY
    ]


@travel(WEDNESDAY)
def test_a_visit_logged_before_generation_makes_the_follow_up_done(homes):
    visit = VisitFactory(household=homes["yellow"], visited_at=at(D(2026, 3, 9)))

    generate_follow_ups()

    follow_up = only(homes["yellow"])
    assert (follow_up.status, follow_up.visit) == ("done", visit)
    assert Household.objects.count() == 3
