"""Writing events: called by the service function that makes the change, inside its
transaction, so the event and the change commit (or roll back) together.

The caller names the unit the event lies in (the household's) and gives the data as ids,
codes and times only: what a receiver needs to fetch the rest through the API, with its
own token and scope (PIPL: the minimum necessary).
"""

from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.utils import timezone

from webhooks.models import Delivery, Event, Webhook


def _listening(event_type: str) -> list[tuple[str, int]]:
    """(unit path, id) of the active webhooks that want this type: a handful of rows."""
    return [
        (path, pk)
        for pk, path, events in Webhook.objects.filter(active=True).values_list("pk", "unit__path", "events")
        if event_type in events
    ]


def emit(event_type: str, *, unit, data: dict) -> Event | None:
    """Record one event of ``unit`` (a GridUnit)."""
    events = emit_many(event_type, [(unit, data)])
    return events[0] if events else None


def emit_many(event_type: str, items: Iterable[tuple]) -> list[Event]:
    """Record events of one type, ``(unit, data)`` each, in a few statements.

    Nothing is written when no webhook listens: an event nobody asked for is not kept
    (a webhook registered later starts from its registration)."""
    listening = _listening(event_type)
    if not listening:
        return []
    now = timezone.now()
    events = [Event(type=event_type, unit=unit, data=data, occurred_at=now) for unit, data in items]
    if not events:
        return []
    # bulk_create sets ids on PostgreSQL and SQLite (RETURNING); the deliveries need them.
    Event.objects.bulk_create(events, batch_size=1000)
    deliveries = [
        Delivery(webhook_id=webhook_id, event=event, next_attempt_at=now, retry_from=now)
        for event in events
        for path, webhook_id in listening
        if event.unit.path.startswith(path)
    ]
    Delivery.objects.bulk_create(deliveries, batch_size=1000)
    for webhook_id in sorted({d.webhook_id for d in deliveries}):
        transaction.on_commit(partial(send_soon, webhook_id), robust=True)
    return events


def send_soon(webhook_id: int) -> None:
    # Queued once the change commits; if the broker is down, the periodic sweep
    # (webhooks.deliver_due, every minute) sends it instead (robust=True logs the error).
    from webhooks.tasks import deliver

    deliver.delay(webhook_id)
