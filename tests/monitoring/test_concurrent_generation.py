"""Two generation runs at once write each follow-up once (PostgreSQL)."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection

from monitoring.followups import generate_follow_ups
from monitoring.models import FollowUp
from tests.households.factories import HouseholdFactory, default_tier
from tests.monitoring.factories import at

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers anyway"),
]


def test_two_concurrent_runs_write_each_follow_up_once(grid):
    for i in range(300):
        HouseholdFactory(unit=grid.building_1, tier=default_tier(["red", "yellow", "green"][i % 3]))
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            with time_machine.travel(at(datetime.date(2026, 3, 11), 1), tick=False):
                barrier.wait()
                generate_follow_ups()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert FollowUp.objects.count() == 300
    assert FollowUp.objects.filter(status="open").count() == 300
