"""What a batch from the outbox costs in queries: the reads an answer needs are made once
for the whole batch, so that 50 items cost each only its own save, a small constant."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from monitoring.followups import generate_follow_ups
from tests.households.factories import HouseholdFactory, default_tier

pytestmark = pytest.mark.django_db


def item(kind, household):
    fields = {
        "visits": {"visited_at": "2026-11-25T09:00:00+08:00", "mode": "door", "needs": ["medical"]},
        "proposals": {"tier": default_tier("red").pk, "reason": "户主住院"},
        "cases": {"category": "dispute", "urgency": "normal", "description": "漏水"},
    }[kind]
    return {"key": str(uuid.uuid4()), "household": household.pk, **fields}


# Each item's own statements: its savepoints, the key looked for again under them (a
# request at the same moment may have saved it), its row and what the service writes with
# it (a visit's follow-up; a case's deadline, worker and first event; a proposal's locked
# household and the pending one it must not duplicate), and for a proposal's and a case's
# event, which webhooks listen (read each time: one registered a moment ago must not miss it).
PER_ITEM = {"visits": 11, "proposals": 16, "cases": 15}


@pytest.mark.parametrize("kind", PER_ITEM)
def test_fifty_items_cost_each_only_its_own_save(people, grid, kind):
    households = [HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("yellow")) for _ in range(51)]
    generate_follow_ups()
    api = APIClient()
    api.force_authenticate(people.worker)

    def queries(batch):
        with CaptureQueriesContext(connection) as captured:
            results = api.post(f"/api/v1/{kind}/batch/", batch, format="json").json()["results"]
        assert {r["status"] for r in results} == {"created"}, results[0]
        return len(captured)

    one = queries([item(kind, households[0])])
    fifty = queries([item(kind, h) for h in households[1:]])

    assert fifty - one <= 49 * PER_ITEM[kind], (one, fifty)
