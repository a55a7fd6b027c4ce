"""Writing events: called by the service function that makes the change, inside its
transaction, so the event and the change commit (or roll back) together.

The caller names the unit the event lies in (the household's) and gives the data as ids,
codes and times only: what a receiver needs to fetch the rest through the API, with its
own token and scope (PIPL: the minimum necessary).
"""

import datetime
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.utils import timezone

from grids.models import GridUnit
from webhooks.models import Delivery, Event, Webhook


def when(moment: datetime.datetime | datetime.date | None) -> str | None:
    """A time as receivers read it: ISO 8601, UTC for instants."""
    if moment is None:
        return None
    if isinstance(moment, datetime.datetime):
        return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    return moment.isoformat()


def _listening(event_type: str) -> list[tuple[str, int]]:
    """(unit path, id) of the active webhooks that want this type: a handful of rows."""
    return [
        (path, pk)
        for pk, path, events in Webhook.objects.filter(active=True).values_list("pk", "unit__path", "events")
        if event_type in events
    ]


# The first key of PostgreSQL's two-key advisory locks: "whk" (the second is a webhook's id).
LOCK_SPACE = 0x77686B


def _one_writer_at_a_time(webhook_ids: list[int]) -> None:
    """Writers to one webhook wait for each other from here to their commit, so that its
    events commit in the order of their ids: a sender that sees event n has seen every
    earlier one (without it, a slower transaction could commit event 10 after 11 was
    sent). An advisory lock, not the webhook's row, so that a sender is never held up by
    a writer. Emitting is the last step of every service function, and the locks are taken
    in id order, so no transaction waits here while holding what another one needs.
    SQLite lets one writer at a time anyway."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for webhook_id in webhook_ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, webhook_id])


def emit(event_type: str, *, unit_id: int, data: dict) -> Event | None:
    """Record one event that happened in the unit ``unit_id``."""
    events = emit_many(event_type, lambda: [(unit_id, data)])
    return events[0] if events else None


def emit_many(event_type: str, items: Callable[[], Iterable[tuple[int, dict]]]) -> list[Event]:
    """Record events of one type, ``(unit id, data)`` each, in a few statements.

    ``items`` is called only when a webhook listens: nothing is read or written for an
    event nobody asked for (a webhook registered later starts from its registration)."""
    listening = _listening(event_type)
    if not listening:
        return []
    _one_writer_at_a_time(sorted({pk for _, pk in listening}))
    now = timezone.now()
    events = [
        Event(type=event_type, unit_id=unit_id, data=data, occurred_at=now) for unit_id, data in items()
    ]
    if not events:
        return []
    # bulk_create sets ids on PostgreSQL and SQLite (RETURNING); the deliveries need them.
    Event.objects.bulk_create(events, batch_size=1000)
    paths = dict(GridUnit.objects.filter(pk__in={e.unit_id for e in events}).values_list("pk", "path"))
    deliveries = [
        Delivery(webhook_id=webhook_id, event=event, next_attempt_at=now, retry_from=now)
        for event in events
        for path, webhook_id in listening
        if paths[event.unit_id].startswith(path)
    ]
    Delivery.objects.bulk_create(deliveries, batch_size=1000)
    for webhook_id in sorted({d.webhook_id for d in deliveries}):
        # A function, not a partial: Django names the callback when it logs its failure.
        transaction.on_commit(lambda pk=webhook_id: send_soon(pk), robust=True)
    return events


def send_soon(webhook_id: int) -> None:
    # Queued once the change commits; if the broker is down, the periodic sweep
    # (webhooks.deliver_due, every minute) sends it instead (robust=True logs the error).
    from webhooks.tasks import deliver

    deliver.delay(webhook_id)
