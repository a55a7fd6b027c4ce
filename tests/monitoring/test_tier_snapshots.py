"""Daily tier counts per unit above the buildings, taken now or replayed from history."""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command

from monitoring.models import TierChange, TierSnapshot
from monitoring.services import change_tier
from monitoring.snapshots import backfill_tier_snapshots, take_tier_snapshot
from tests.households.factories import HouseholdFactory, default_tier
from tests.monitoring.factories import at

pytestmark = pytest.mark.django_db
D = datetime.date


def counts(day, unit):
    rows = TierSnapshot.objects.filter(day=day, unit=unit).select_related("tier")
    return {row.tier.code: row.households for row in rows}


def test_todays_snapshot_counts_each_unit_above_the_buildings(grid):
    HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"))
    HouseholdFactory(unit=grid.building_2, tier=default_tier("green"))
    HouseholdFactory(unit=grid.building_3, tier=default_tier("green"))
    HouseholdFactory(
        unit=grid.building_3, tier=default_tier("green"), status="moved_out", moved_out_on=D(2020, 1, 1)
    )

    with time_machine.travel(at(D(2026, 3, 11)), tick=False):
        take_tier_snapshot()
        take_tier_snapshot()  # taken twice, counted once

    day = D(2026, 3, 11)
    assert counts(day, grid.community) == {"red": 1, "green": 2}
    assert counts(day, grid.area_east) == {"red": 1, "green": 1}
    assert counts(day, grid.area_west) == {"green": 1}
    assert counts(day, grid.building_1) == {}  # buildings are not snapshotted


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
