"""The wiring, once for real: a committed change queues the Celery task that sends its
event (run eagerly here; tests/monitoring/test_celery_worker.py runs a worker)."""

import pytest

from config.celery import app
from households.models import Household
from monitoring.services import change_tier
from tests.households.factories import default_tier
from tests.webhooks.factories import webhook
from webhooks.delivery import deliver_due
from webhooks.models import Delivery, DeliveryStatus
from webhooks.tasks import deliver

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_committed_change_is_sent_without_waiting_for_the_sweep(people, grid, receiver, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    webhook(grid.county, receiver.url)

    change_tier(household=people.household, tier=default_tier("red"), reason="失业", by=people.staff)

    assert len(receiver.received) == 1
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_broker_that_is_down_does_not_undo_or_refuse_the_change(
    people, grid, receiver, monkeypatch, caplog
):
    def broker_down(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(deliver, "delay", broker_down)
    webhook(grid.county, receiver.url)

    change = change_tier(household=people.household, tier=default_tier("red"), reason="失业", by=people.staff)

    assert Household.objects.get(pk=people.household.pk).tier.code == "red" and change.pk
    assert Delivery.objects.get().status == DeliveryStatus.PENDING  # the sweep sends it
    assert "Connection refused" in caplog.text
    assert deliver_due() == 1 and len(receiver.received) == 1
