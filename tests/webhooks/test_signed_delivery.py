"""A receiver gets each event as JSON with a timestamp and an HMAC-SHA256 signature it can
check with its secret (the README's check), and nothing personal in it."""

import json

import pytest

from monitoring.services import change_tier
from tests.households.factories import default_tier
from tests.webhooks.factories import SECRET, webhook
from tests.webhooks.receiver import verify
from webhooks.delivery import deliver_due
from webhooks.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(people, grid, receiver):
    """A tier change, as the receiver got it."""
    webhook(grid.community, receiver.url)
    change = change_tier(household=people.household, tier=default_tier("red"), reason="失业", by=people.staff)
    assert deliver_due() == 1
    [got] = receiver.received
    return change, got


def test_the_signature_verifies_with_the_webhooks_secret(delivered):
    _, got = delivered

    assert verify(SECRET, got.headers, got.body)
    assert not verify("whsec_someone-elses", got.headers, got.body)
    assert not verify(SECRET, got.headers, got.body.replace(b'"red"', b'"green"'))


def test_a_request_older_than_five_minutes_is_refused_by_the_check(delivered):
    _, got = delivered
    sent_at = int(got.headers["X-HHL-Timestamp"])

    assert verify(SECRET, got.headers, got.body, now=sent_at + 299)
    assert not verify(SECRET, got.headers, got.body, now=sent_at + 301)
    # The timestamp is signed too: moved forward, the signature no longer matches.
    moved = {**got.headers, "X-HHL-Timestamp": str(sent_at + 300)}
    assert not verify(SECRET, moved, got.body, now=sent_at + 301)


def test_the_body_names_the_event_by_ids_codes_and_times(delivered, people, grid):
    change, got = delivered
    event = Event.objects.get()

    assert json.loads(got.body) == {
        "id": event.pk,
        "type": "tier.changed",
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "unit": {"id": grid.floor_1_1.pk, "code": "B1F1"},
        "data": {
            "household": people.household.pk,
            "tier_change": change.pk,
            "from_tier": "yellow",
            "to_tier": "red",
            "changed_at": change.changed_at.isoformat().replace("+00:00", "Z"),
        },
    }
    assert got.path == "/hooks/hhl"
    assert got.headers["X-HHL-Event-Id"] == str(event.pk)
    assert got.headers["X-HHL-Event-Type"] == "tier.changed"
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"


def test_no_name_phone_or_reason_is_sent(delivered, people):
    _, got = delivered
    text = got.body.decode()

    assert "13912345678" not in text and "王小红" not in text and "失业" not in text
