"""Two generation runs at once write each follow-up once (PostgreSQL)."""

import datetime

import pytest
import time_machine
from django.db import connection

from monitoring.followups import generate_follow_ups
from monitoring.models import FollowUp
from tests.concurrency import at_once
from tests.households.factories import HouseholdFactory, default_tier
from tests.monitoring.factories import at

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers anyway"),
]


def test_two_concurrent_runs_write_each_follow_up_once(grid):
    for i in range(300):
        HouseholdFactory(unit=grid.building_1, tier=default_tier(["red", "yellow", "green"][i % 3]))
    with time_machine.travel(at(datetime.date(2026, 3, 11), 1), tick=False):
        outcomes = at_once(generate_follow_ups)

    assert all(isinstance(created, int) for created in outcomes), outcomes
    assert sum(outcomes) == 300  # between them, each follow-up written once
    assert FollowUp.objects.count() == 300
    assert FollowUp.objects.filter(status="open").count() == 300
