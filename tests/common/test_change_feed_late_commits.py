"""A transaction stamps a row's updated_at when it saves it and may commit long after
another one that stamped later: the change feed still sends the first once it commits
(PostgreSQL, where transactions commit in any order; SQLite serialises writers)."""

import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from common import sync
from households.models import Household
from households.services import update_household
from tests.households.factories import HouseholdFactory


@pytest.mark.real_clock  # the database's clock and the application's must agree
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite commits one writer at a time")
def test_a_change_committed_after_a_later_one_was_sent_is_sent_when_it_commits(people, grid, monkeypatch):
    # The clock margin alone would have let the cursor pass the slow transaction's row.
    monkeypatch.setattr(sync, "CLOCK_MARGIN", sync.datetime.timedelta(seconds=0.5))
    slow, quick = HouseholdFactory(unit=grid.floor_1_1), HouseholdFactory(unit=grid.floor_1_2)
    client = APIClient()
    client.force_authenticate(people.worker)
    cursor = client.get("/api/v1/households/", {"cursor": ""}).json()["cursor"]
    saved, commit = threading.Event(), threading.Event()
    errors = []

    def slow_transaction():
        try:
            with transaction.atomic():
                update_household(household=slow, changes={"phone": "13900007777"}, by=people.staff)
                saved.set()
                assert commit.wait(30)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_transaction)
    thread.start()
    assert saved.wait(30)
    update_household(household=quick, changes={"phone": "13900008888"}, by=people.staff)
    time.sleep(1.2)  # the quick change is older than the margin now
    first = client.get("/api/v1/households/", {"cursor": cursor}).json()
    commit.set()
    thread.join(30)
    second = client.get("/api/v1/households/", {"cursor": first["cursor"]}).json()

    assert errors == []
    assert [row["id"] for row in first["results"]] == [quick.pk]
    assert [row["id"] for row in second["results"]] == [slow.pk]
    assert Household.objects.get(pk=slow.pk).phone == "13900007777"
