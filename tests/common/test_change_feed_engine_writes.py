"""What the follow-up engine and the rules write in bulk (an INSERT of a run's follow-ups,
an UPDATE marking them missed or done, a tier change) comes through the change feed as
any other change: every such write moves ``updated_at``."""

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from monitoring.followups import generate_follow_ups, mark_missed, record_visit
from monitoring.models import FollowUp
from monitoring.services import change_tier
from tests.households.factories import default_tier
from tests.monitoring.factories import at

pytestmark = pytest.mark.django_db


def feed(client, path, cursor):
    body = client.get(path, {"cursor": cursor, "page_size": 200}).json()
    assert not body["has_more"]
    return {row["id"]: row for row in body["results"]}, body["cursor"]


def test_follow_ups_generated_done_and_missed_come_through_the_feed(people, test_today):
    client = APIClient()
    client.force_authenticate(people.worker)
    _rows, cursor = feed(client, "/api/v1/follow-ups/", "")

    generate_follow_ups(test_today)
    generated, cursor = feed(client, "/api/v1/follow-ups/", cursor)
    assert "open" in {row["status"] for row in generated.values()}

    record_visit(household=people.household, by=people.worker, visited_at=at(test_today), mode="door")
    done, cursor = feed(client, "/api/v1/follow-ups/", cursor)
    assert {row["status"] for row in done.values()} == {"done"}

    with time_machine.travel(at(test_today + datetime.timedelta(days=40)), tick=True):
        generate_follow_ups()
        mark_missed()
        later, cursor = feed(client, "/api/v1/follow-ups/", cursor)
    missed = set(
        FollowUp.objects.filter(household=people.household, status="missed").values_list("pk", flat=True)
    )
    assert missed and missed <= set(later)


def test_a_tier_change_comes_through_the_households_and_the_tier_changes_feeds(people):
    client = APIClient()
    client.force_authenticate(people.worker)
    _rows, households = feed(client, "/api/v1/households/", "")
    _rows, changes = feed(client, "/api/v1/tier-changes/", "")

    change = change_tier(
        household=people.household, tier=default_tier("red"), reason="病情加重", by=people.staff
    )

    assert list(feed(client, "/api/v1/households/", households)[0]) == [people.household.pk]
    assert list(feed(client, "/api/v1/tier-changes/", changes)[0]) == [change.pk]
