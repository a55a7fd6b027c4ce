"""Two changes at once never commit their events out of order: a sender that has seen
event n has seen every earlier event of its webhook (PostgreSQL; SQLite serialises
writers anyway)."""

import threading

import pytest
from django.db import connection, connections, transaction

from tests.webhooks.factories import webhook
from webhooks import delivery, outbox
from webhooks.models import Delivery, EventType

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers: PostgreSQL"),
]


def test_a_later_event_waits_for_the_earlier_one_to_commit(grid, receiver, monkeypatch):
    monkeypatch.setattr(outbox, "send_soon", lambda webhook_id: None)  # the test sends
    hook = webhook(grid.county, receiver.url)
    first_written, let_first_commit = threading.Event(), threading.Event()
    second_done = threading.Event()

    def first():
        try:
            with transaction.atomic():
                outbox.emit(EventType.CASE_OPENED, unit_id=grid.floor_1_1.pk, data={"case": 1})
                first_written.set()
                let_first_commit.wait(10)
        finally:
            connections.close_all()

    def second():
        try:
            first_written.wait(10)
            with transaction.atomic():
                outbox.emit(EventType.CASE_OPENED, unit_id=grid.building_3.pk, data={"case": 2})
            second_done.set()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    # The second change cannot commit while the first is open, so nothing can be sent
    # ahead of the first event.
    assert not second_done.wait(1)
    assert delivery.deliver(hook.pk) == 0
    let_first_commit.set()
    for thread in threads:
        thread.join(10)

    assert second_done.is_set()
    assert delivery.deliver(hook.pk) == 2
    events = list(Delivery.objects.order_by("event_id").values_list("event__data__case", flat=True))
    assert events == [1, 2]
    assert receiver.event_ids() == sorted(receiver.event_ids())
