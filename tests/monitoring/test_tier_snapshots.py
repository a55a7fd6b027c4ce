"""Daily tier counts per unit above the buildings: the snapshot of a day is its end, the
same whether the daily job wrote it or a backfill replayed it from the history."""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command

from monitoring.models import TierChange, TierSnapshot
from monitoring.services import change_tier
from monitoring.snapshots import backfill_tier_snapshots, snapshot_day, take_tier_snapshots
from tests.households.factories import HouseholdFactory, default_tier
from tests.monitoring.factories import at

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
D = datetime.date


def counts(day, unit):
    rows = TierSnapshot.objects.filter(day=day, unit=unit).select_related("tier")
    return {row.tier.code: row.households for row in rows}


def test_the_daily_job_counts_each_unit_above_the_buildings_for_the_day_that_ended(grid):
    HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"))
    HouseholdFactory(unit=grid.building_2, tier=default_tier("green"))
    HouseholdFactory(unit=grid.building_3, tier=default_tier("green"))
    HouseholdFactory(
        unit=grid.building_3, tier=default_tier("green"), status="moved_out", moved_out_on=D(2020, 1, 1)
    )

    with time_machine.travel(at(D(2026, 3, 12), 0), tick=False):
        take_tier_snapshots()
        assert take_tier_snapshots() == 0  # run twice, counted once

    day = D(2026, 3, 11)
    assert counts(day, grid.community) == {"red": 1, "green": 2}
    assert counts(day, grid.area_east) == {"red": 1, "green": 1}
    assert counts(day, grid.area_west) == {"green": 1}
    assert counts(day, grid.building_1) == {}  # buildings are not snapshotted
    assert not TierSnapshot.objects.filter(day=D(2026, 3, 12)).exists()  # today has not ended


def test_a_backfill_replays_the_tier_history(grid):
    with time_machine.travel(at(D(2026, 1, 5)), tick=False):
        household = HouseholdFactory(unit=grid.building_1, tier=default_tier("red"))
        TierChange.objects.create(household=household, to_tier=default_tier("red"), reason="初始评定")
    with time_machine.travel(at(D(2026, 3, 2)), tick=False):
        change_tier(household=household, tier=default_tier("green"), reason="已落实低保", by=None)

    backfill_tier_snapshots(D(2026, 2, 1), D(2026, 3, 31), every_days=28)

    assert counts(D(2026, 2, 1), grid.community) == {"red": 1}
    assert counts(D(2026, 3, 29), grid.community) == {"green": 1}


def test_the_backfill_command_refuses_bad_dates():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("backfill_tier_snapshots", "--from", "2026/01/01")
    with pytest.raises(CommandError, match="--to"):
        call_command("backfill_tier_snapshots", "--from", "2026-03-01", "--to", "2026-01-01")


def test_the_daily_job_and_the_backfill_count_a_day_alike(grid):
    """A tier changed in the afternoon counts for its day in both (the job's day D was the
    backfill's D+1: the job counted at 00:30 what the day before had left)."""
    with time_machine.travel(at(D(2026, 3, 1)), tick=False):
        household = HouseholdFactory(unit=grid.building_1, tier=default_tier("red"))
        TierChange.objects.create(household=household, to_tier=default_tier("red"), reason="初始评定")
    with time_machine.travel(at(D(2026, 3, 11), 16), tick=False):
        change_tier(household=household, tier=default_tier("green"), reason="已落实低保", by=None)
    with time_machine.travel(at(D(2026, 3, 12), 0), tick=False):
        take_tier_snapshots()
        by_job = {day: counts(day, grid.community) for day in (D(2026, 3, 11),)}
        TierSnapshot.objects.all().delete()
        backfill_tier_snapshots(D(2026, 3, 10), D(2026, 3, 11), every_days=1)

    assert by_job == {D(2026, 3, 11): {"green": 1}}
    assert counts(D(2026, 3, 11), grid.community) == {"green": 1}
    assert counts(D(2026, 3, 10), grid.community) == {"red": 1}


def test_days_the_scheduler_was_down_are_filled_in_on_restart(grid):
    with time_machine.travel(at(D(2026, 3, 1)), tick=False):
        household = HouseholdFactory(unit=grid.building_1, tier=default_tier("red"))
        TierChange.objects.create(household=household, to_tier=default_tier("red"), reason="初始评定")
    with time_machine.travel(at(D(2026, 3, 8), 0), tick=False):
        take_tier_snapshots()  # the 7th; then down on the 8th, 9th and 10th
    with time_machine.travel(at(D(2026, 3, 9), 15), tick=False):
        change_tier(household=household, tier=default_tier("yellow"), reason="好转", by=None)

    with time_machine.travel(
        at(
            D(2026, 3, 11),
            0,
        ),
        tick=False,
    ):
        take_tier_snapshots()

    days = sorted(set(TierSnapshot.objects.values_list("day", flat=True)))
    assert days == [D(2026, 3, day) for day in range(7, 11)]
    assert [counts(D(2026, 3, day), grid.community) for day in (8, 9, 10)] == [
        {"red": 1},
        {"yellow": 1},
        {"yellow": 1},
    ]


def test_a_household_counts_until_the_day_it_moved_out(grid):
    HouseholdFactory(unit=grid.building_1, tier=default_tier("green"), relocated_on=D(2026, 3, 2))
    HouseholdFactory(
        unit=grid.building_1, tier=default_tier("green"), status="moved_out", moved_out_on=D(2026, 3, 3)
    )

    for day in (1, 2, 3):
        snapshot_day(D(2026, 3, day))

    assert [counts(D(2026, 3, day), grid.community) for day in (1, 2, 3)] == [
        {"green": 1},
        {"green": 2},
        {"green": 1},
    ]


def test_the_backfill_command_writes_no_day_that_has_not_ended():
    with time_machine.travel(at(D(2026, 3, 11)), tick=False), pytest.raises(CommandError, match="2026-03-10"):
        call_command("backfill_tier_snapshots", "--from", "2026-03-01", "--to", "2026-03-11")
