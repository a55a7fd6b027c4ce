"""A wall count that starts while another is counting (a backlog on the engine queue)
stops at once, having written nothing, rather than failing on the rows the first has not
committed yet (PostgreSQL; SQLite writes one at a time anyway)."""

import datetime
import logging
import threading

import pytest
from django.db import connection, transaction

from monitoring.models import WallCount
from monitoring.wall import count_walls
from tests.households.factories import HouseholdFactory, default_tier

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers anyway"),
]
WEDNESDAY = datetime.date(2026, 11, 25)


def test_a_second_run_while_the_first_counts_returns_at_once_and_writes_nothing(grid, caplog):
    for i in range(30):
        HouseholdFactory(unit=grid.building_1, tier=default_tier(["red", "yellow", "green"][i % 3]))
    count_walls(WEDNESDAY)  # a run before: rows both runs would replace
    HouseholdFactory(unit=grid.building_3, tier=default_tier("red"))
    second = []

    def run():
        try:
            second.append(count_walls(WEDNESDAY))
        except Exception as error:  # what it raised is the outcome
            second.append(error)
        finally:
            connection.close()

    with caplog.at_level(logging.INFO, logger="monitoring.wall"):
        with transaction.atomic():
            first = count_walls(WEDNESDAY)  # counted, not committed yet
            thread = threading.Thread(target=run)
            thread.start()
            thread.join(timeout=10)
            waited = thread.is_alive()
        thread.join()

    assert not waited, "the second run waited for the first"
    assert second == [0]
    assert first == WallCount.objects.count()
    assert WallCount.objects.get(unit=grid.community, tier__code="red").households == 11
    assert "Another wall count is running" in caplog.text
