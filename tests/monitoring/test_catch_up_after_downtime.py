"""After the scheduler was down: the periods nobody wrote are filled in under the tier in
force on their days, and whoever hears of a missed period hears of these, once (in the
morning digest since issue 18: ``told_of_misses`` is who it tells)."""

import datetime

import pytest
import time_machine

from grids.models import Role
from monitoring.followups import generate_follow_ups, mark_missed, record_visit, told_of_misses
from monitoring.models import FollowUp
from monitoring.services import change_tier
from tests.grids.factories import UserFactory
from tests.households.factories import HouseholdFactory, default_tier
from tests.monitoring.factories import at

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
D = datetime.date
SUNDAY, MONDAY, TUESDAY, WEDNESDAY, THURSDAY = (D(2026, 3, day) for day in range(8, 13))


@pytest.fixture
def people(grid, assign):
    p = {name: UserFactory(username=name) for name in ["floor", "gridhead", "staff"]}
    assign(p["floor"], grid.floor_1_1, role=Role.FLOOR_HEAD, starts_on=D(2025, 1, 1))
    assign(p["gridhead"], grid.area_east, role=Role.GRID_HEAD, starts_on=D(2025, 1, 1))
    assign(p["staff"], grid.community, role=Role.COMMUNITY_STAFF, starts_on=D(2025, 1, 1))
    return p


def run_on(day, hour=1):
    with time_machine.travel(at(day, hour), tick=False):
        generate_follow_ups()


def rows(household):
    return [
        (f.period_start, f.period_end, f.status)
        for f in FollowUp.objects.filter(household=household).order_by("period_start", "period_end", "id")
    ]


def told_rows():
    """Everyone told of every miss so far, as the digests tell them."""
    from django.contrib.auth import get_user_model

    names = dict(get_user_model().objects.values_list("pk", "username"))
    rows = told_of_misses(closed_from=at(D(2000, 1, 1)), closed_to=at(D(2100, 1, 1)), today=D(2026, 3, 12))
    return [(names[user_id], kind, follow_up_id) for user_id, kind, _household, follow_up_id in rows]


def told(follow_up, kind="missed"):
    return sorted(name for name, k, f in told_rows() if k == kind and f == follow_up.pk)


def test_the_periods_filled_in_as_missed_are_told_like_any_other(people, grid):
    red = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"))
    run_on(SUNDAY)

    run_on(THURSDAY)  # down on Monday, Tuesday and Wednesday

    missed = FollowUp.objects.filter(household=red, status="missed").order_by("period_start")
    assert [f.period_start for f in missed] == [SUNDAY, MONDAY, TUESDAY, WEDNESDAY]
    for follow_up in missed:
        assert told(follow_up) == ["floor", "gridhead"], follow_up.period_start
    # Missed again and again: the unit above hears, from the second day on.
    assert [told(f, "escalated") for f in missed] == [[], ["staff"], ["staff"], ["staff"]]


def test_a_second_run_or_the_hourly_job_tells_nobody_twice(people, grid):
    HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"))
    run_on(SUNDAY)
    run_on(THURSDAY)
    told_before = len(told_rows())

    run_on(THURSDAY, hour=2)
    with time_machine.travel(at(THURSDAY, 3), tick=False):
        mark_missed()

    assert len(told_rows()) == told_before == 4 * 2 + 3


def test_a_tier_lowered_during_downtime_leaves_the_ended_period_missed_and_fills_the_old_tiers_days(
    people, grid
):
    red = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"))
    run_on(SUNDAY)  # Sunday's daily follow-up, open; the jobs stop after this
    record_visit(household=red, by=people["floor"], visited_at=at(MONDAY, 9), mode="door")

    with time_machine.travel(at(TUESDAY, 10), tick=False):
        change_tier(household=red, tier=default_tier("yellow"), reason="情况好转", by=people["staff"])

    assert rows(red) == [
        (SUNDAY, SUNDAY, "missed"),  # it had ended: owed under red, not cancelled
        (MONDAY, MONDAY, "done"),  # red's day the scheduler never wrote, with its visit
        (MONDAY, D(2026, 3, 15), "done"),  # yellow's week, done by Monday's visit
    ]
    assert told(FollowUp.objects.get(household=red, period_start=SUNDAY)) == ["floor", "gridhead"]

    run_on(THURSDAY)
    assert len(rows(red)) == 3


def test_a_tier_raised_during_downtime_owes_the_new_days_from_the_change_on(people, grid):
    green = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("green"))
    run_on(SUNDAY)

    with time_machine.travel(at(TUESDAY, 10), tick=False):
        change_tier(household=green, tier=default_tier("red"), reason="突发重病", by=people["staff"])
    run_on(THURSDAY)

    assert rows(green) == [
        (D(2026, 3, 1), D(2026, 3, 31), "cancelled"),  # the month the change fell in
        (TUESDAY, TUESDAY, "missed"),
        (WEDNESDAY, WEDNESDAY, "missed"),
        (THURSDAY, THURSDAY, "open"),
    ]


def test_what_was_due_under_each_tier_counts_for_its_own_days(people, grid):
    """Red until Monday noon, yellow until Wednesday noon, red again: the catch-up on
    Thursday writes each tier's own periods, nothing of the days that tier did not rule."""
    household = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"))
    run_on(D(2026, 3, 1))  # the first red day the engine knew; then it went down
    with time_machine.travel(at(MONDAY, 12), tick=False):
        change_tier(household=household, tier=default_tier("yellow"), reason="好转", by=None)
    with time_machine.travel(at(WEDNESDAY, 12), tick=False):
        change_tier(household=household, tier=default_tier("red"), reason="复发", by=None)

    run_on(THURSDAY)

    daily = [r[0] for r in rows(household) if r[0] == r[1]]
    weekly = [r for r in rows(household) if r[0] != r[1]]
    assert daily == [D(2026, 3, day) for day in range(1, 9)] + [WEDNESDAY, THURSDAY]
    assert weekly == [(MONDAY, D(2026, 3, 15), "cancelled")]
    assert FollowUp.objects.get(household=household, status="open").period_start == THURSDAY


def test_a_household_that_moved_out_during_downtime_owes_the_days_it_still_lived_here(people, grid):
    from households.services import update_household

    red = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"))
    run_on(SUNDAY)

    with time_machine.travel(at(WEDNESDAY, 10), tick=False):
        update_household(household=red, changes={"status": "moved_out", "moved_out_on": WEDNESDAY}, by=None)
    run_on(THURSDAY)

    assert rows(red) == [(day, day, "missed") for day in (SUNDAY, MONDAY, TUESDAY)]
    assert all(told(f) == ["floor", "gridhead"] for f in FollowUp.objects.filter(household=red))
