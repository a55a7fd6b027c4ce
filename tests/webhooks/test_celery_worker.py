"""The wiring for real: a change commits, its task goes through the broker to a Celery
worker in another process, and the worker sends the event to the receiver."""

import time

import pytest
from django.db import connection

from config.celery import app
from monitoring.services import change_tier
from tests.households.factories import default_tier
from tests.servers import celery_worker
from tests.webhooks.factories import webhook
from webhooks import outbox
from webhooks.models import Delivery, DeliveryStatus
from webhooks.tasks import deliver

pytestmark = [
    pytest.mark.real_clock,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs a database it can share"),
]


def queue_for_worker(webhook_id: int, folders: dict) -> None:
    """What ``outbox.send_soon`` does, through a connection to the worker's folder."""
    with app.connection_for_write("filesystem://", transport_options=folders) as broker:
        deliver.apply_async((webhook_id,), connection=broker)


def test_a_committed_change_is_sent_by_the_worker(people, grid, receiver, tmp_path, monkeypatch):
    queue = tmp_path / "queue"
    (queue / "control").mkdir(parents=True)
    folders = {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "control_folder": str(queue / "control"),
    }
    # This process queues the task into the worker's folder (the embedded demo's transport).
    monkeypatch.setattr(outbox, "send_soon", lambda webhook_id: queue_for_worker(webhook_id, folders))
    env = {"CELERY_BROKER_URL": "filesystem://", "CELERY_QUEUE_DIR": str(queue)}
    webhook(grid.county, receiver.url)
    worker = celery_worker(env)
    try:
        change_tier(household=people.household, tier=default_tier("red"), reason="失业", by=people.staff)
        deadline = time.monotonic() + 60
        while not receiver.received and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)

    assert len(receiver.received) == 1, output[-3000:]
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED
    assert "webhooks.deliver" in output
