"""A receiver that is down, or failing, misses nothing: the event is tried again after a
growing pause, and the ones after it wait, so that everything arrives once and in order."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from monitoring.services import change_tier
from tests.households.factories import default_tier
from tests.webhooks.factories import webhook
from tests.webhooks.receiver import Receiver
from webhooks.delivery import deliver_due
from webhooks.models import Attempt, Delivery, DeliveryStatus, Event

pytestmark = pytest.mark.django_db


def at(moment):
    return time_machine.travel(moment, tick=False)


def three_changes(people):
    for code in ["red", "green", "yellow"]:
        change_tier(household=people.household, tier=default_tier(code), reason="走访", by=people.staff)
    return list(Event.objects.order_by("pk").values_list("pk", flat=True))


def test_a_receiver_down_for_a_day_gets_every_event_once_and_in_order(people, grid):
    receiver = Receiver()  # not listening yet
    webhook(grid.county, receiver.url)
    start = timezone.now()
    with at(start):
        events = three_changes(people)
        deliver_due()
    for hour in range(1, 25):
        with at(start + datetime.timedelta(hours=hour)):
            deliver_due()

    attempts = list(Attempt.objects.select_related("delivery"))
    assert len(attempts) >= 20
    assert {(a.error_kind, a.response_code) for a in attempts} == {("connection", None)}
    # Only the first event was tried: the others waited behind it.
    assert {a.delivery.event_id for a in attempts} == {events[0]}

    receiver.start()
    try:
        with at(start + datetime.timedelta(hours=25)):
            assert deliver_due() == 3
            assert deliver_due() == 0
    finally:
        receiver.stop()

    assert receiver.event_ids() == events
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


def test_a_receiver_answering_500_then_200_gets_the_event_again_then_the_next(people, grid, receiver, caplog):
    webhook(grid.county, receiver.url)
    receiver.answers = [500]
    start = timezone.now()
    with at(start):
        events = three_changes(people)
        assert deliver_due() == 0
    assert receiver.event_ids() == [events[0]]

    with at(start + datetime.timedelta(seconds=29)):
        assert deliver_due() == 0  # the pause is not over
    with at(start + datetime.timedelta(seconds=30)):
        assert deliver_due() == 3

    assert receiver.event_ids()[:3] == [events[0], events[0], events[1]]
    first = Delivery.objects.get(event_id=events[0])
    assert [(a.response_code, a.error_kind) for a in first.attempt_log.all()] == [
        (500, "http_status"),
        (200, ""),
    ]
    assert first.status == DeliveryStatus.DELIVERED and first.attempts == 2
    # The log says which event failed and how, and nothing of what it was about.
    assert f"event {events[0]} not delivered (http_status, answer 500" in caplog.text
    assert "13912345678" not in caplog.text and "走访" not in caplog.text


def test_the_pause_between_tries_doubles_up_to_an_hour(people, grid):
    webhook(grid.county, Receiver().url)  # never listening
    change_tier(household=people.household, tier=default_tier("red"), reason="走访", by=people.staff)
    delivery = Delivery.objects.get()
    for _ in range(11):
        with at(delivery.next_attempt_at):
            deliver_due()
        delivery.refresh_from_db()

    times = list(delivery.attempt_log.values_list("attempted_at", flat=True))
    pauses = [int((b - a).total_seconds()) for a, b in zip(times, times[1:], strict=False)]
    assert pauses == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_an_event_failing_past_the_retry_time_is_given_up_and_the_queue_moves_on(
    people, grid, receiver, settings
):
    settings.WEBHOOK_RETRY_HOURS = 24
    webhook(grid.county, receiver.url)
    start = timezone.now()
    with at(start):
        events = three_changes(people)
    receiver.refused = {events[0]}
    for hour in range(0, 26):
        with at(start + datetime.timedelta(hours=hour)):
            deliver_due()

    assert Delivery.objects.get(event_id=events[0]).status == DeliveryStatus.FAILED
    assert [i for i in receiver.event_ids() if i != events[0]] == events[1:]
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 2
