"""Two generation runs at once write each follow-up once (PostgreSQL)."""

import datetime
import threading

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


def test_a_tier_changed_while_the_run_is_writing_gets_its_new_period_at_once(grid):
    """The run has written the green household's month, not committed yet, when staff
    raise it to red: the change cannot see that row to cancel it, and its own insert waits
    on it and then skips. It must still end with today's daily follow-up open."""
    from django.db import transaction

    from monitoring.services import change_tier

    green = HouseholdFactory(unit=grid.building_1, tier=default_tier("green"))
    day = datetime.date(2026, 3, 11)
    with time_machine.travel(at(day, 0), tick=False):
        with transaction.atomic():
            generate_follow_ups()  # the month, written and not committed
            thread = threading.Thread(target=lambda: _change(change_tier, green))
            thread.start()
            wait_until_blocked(thread)
        thread.join()  # the clock still stands at midnight for it

    rows = {(f.period_start, f.period_end): f.status for f in FollowUp.objects.filter(household=green)}
    assert rows == {(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)): "cancelled", (day, day): "open"}


def _change(change_tier, household):
    try:
        change_tier(household=household, tier=default_tier("red"), reason="突发重病", by=None)
    finally:
        connection.close()


def wait_until_blocked(thread):
    """Until PostgreSQL shows another connection waiting for this one's transaction."""
    with connection.cursor() as cursor:
        for _ in range(500):
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'")
            if cursor.fetchone()[0]:
                return
            thread.join(0.01)
    pytest.fail("the tier change never waited for the run")
