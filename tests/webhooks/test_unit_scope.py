"""A webhook gets the events of its unit and of every unit under it, and only the types
it chose: another unit's events are not sent to it."""

import json

import pytest

from monitoring.services import change_tier
from services.cases import open_case
from tests.households.factories import default_tier
from tests.webhooks.factories import webhook
from webhooks.delivery import deliver_due
from webhooks.models import EventType

pytestmark = pytest.mark.django_db


def households_of(receiver, path):
    return [json.loads(r.body)["data"]["household"] for r in receiver.received if r.path == path]


def test_a_webhook_for_one_unit_gets_its_sub_units_events_and_not_another_units(people, grid, receiver):
    base = receiver.url.rsplit("/", 2)[0]
    webhook(grid.area_east, f"{base}/east", name="东片区")
    webhook(grid.area_west, f"{base}/west", name="西片区")
    webhook(grid.county, f"{base}/county", name="县")

    for household in [people.household, people.outside]:  # under 1栋 (east), 3栋 (west)
        change_tier(household=household, tier=default_tier("green"), reason="好转", by=people.staff)
    deliver_due()

    assert households_of(receiver, "/east") == [people.household.pk]
    assert households_of(receiver, "/west") == [people.outside.pk]
    assert households_of(receiver, "/county") == [people.household.pk, people.outside.pk]


def test_a_webhook_gets_only_the_event_types_it_chose(people, grid, receiver):
    webhook(grid.county, receiver.url, events=[EventType.CASE_OPENED])

    change_tier(household=people.household, tier=default_tier("red"), reason="失业", by=people.staff)
    case = open_case(
        household=people.household, category="dispute", description="漏水", urgency="normal", by=people.worker
    )
    deliver_due()

    assert [json.loads(r.body)["type"] for r in receiver.received] == ["case.opened"]
    assert json.loads(receiver.received[0].body)["data"]["case"] == case.pk


def test_an_inactive_webhook_gets_nothing(people, grid, receiver):
    webhook(grid.county, receiver.url, active=False)

    change_tier(household=people.household, tier=default_tier("red"), reason="失业", by=people.staff)
    deliver_due()

    assert receiver.received == []
