"""The delivery log does not grow for ever: deliveries settled more than WEBHOOK_LOG_DAYS
ago are deleted with their attempts and events by the nightly job; what is still pending
stays, however old, and so does everything younger."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from monitoring.services import change_tier
from tests.households.factories import default_tier
from tests.webhooks.factories import webhook
from webhooks.delivery import deliver_due, forget_old
from webhooks.models import Attempt, Delivery, DeliveryStatus, Event

pytestmark = pytest.mark.django_db


def a_change(people, code):
    change_tier(household=people.household, tier=default_tier(code), reason="走访", by=people.staff)
    return Event.objects.latest("pk")


def test_deliveries_settled_before_the_log_days_go_with_their_attempts_and_events(
    people, grid, receiver, settings
):
    settings.WEBHOOK_LOG_DAYS = 90
    webhook(grid.county, receiver.url)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = a_change(people, "red")
        deliver_due()
    with time_machine.travel(start + datetime.timedelta(days=80), tick=False):
        a_change(people, "green")
        deliver_due()
    recent = set(Event.objects.filter(pk__gt=old.pk).values_list("pk", flat=True))

    with time_machine.travel(start + datetime.timedelta(days=91), tick=False):
        assert forget_old() == 1

    assert recent and set(Event.objects.values_list("pk", flat=True)) == recent
    assert set(Delivery.objects.values_list("event_id", flat=True)) == recent
    assert set(Attempt.objects.values_list("delivery__event_id", flat=True)) == recent
    assert old.pk in receiver.event_ids()  # it was delivered; only the log of it is gone


def test_a_delivery_still_pending_stays_however_old_and_so_does_its_event(people, grid, settings):
    settings.WEBHOOK_LOG_DAYS = 90
    webhook(grid.county, "http://127.0.0.1:9/never-answers")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        event = a_change(people, "red")
    Delivery.objects.update(status=DeliveryStatus.PENDING)

    with time_machine.travel(start + datetime.timedelta(days=200), tick=False):
        assert forget_old() == 0

    assert list(Event.objects.values_list("pk", flat=True)) == [event.pk]
    assert Delivery.objects.get().status == DeliveryStatus.PENDING


def test_a_given_up_delivery_is_kept_the_log_days_from_when_its_retries_began(people, grid, settings):
    settings.WEBHOOK_LOG_DAYS = 30
    webhook(grid.county, "http://127.0.0.1:9/never-answers")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        a_change(people, "red")
    Delivery.objects.update(status=DeliveryStatus.FAILED)

    with time_machine.travel(start + datetime.timedelta(days=29), tick=False):
        assert forget_old() == 0
    with time_machine.travel(start + datetime.timedelta(days=31), tick=False):
        assert forget_old() == 1

    assert not Event.objects.exists()


def test_the_nightly_job_is_scheduled_by_the_migration():
    job = PeriodicTask.objects.get(task="webhooks.forget_old")

    assert (job.crontab.hour, job.crontab.minute, str(job.crontab.timezone)) == ("3", "50", "Asia/Shanghai")
