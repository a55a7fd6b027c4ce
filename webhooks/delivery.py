"""Sending: each webhook's pending events, in event order, signed, one sender at a time.

A receiver that fails (no connection, a timeout, an answer other than 2xx) stops its
webhook's queue: the failed event is tried again after a growing pause (30 s, 1 min,
2 min ... at most an hour) and the events after it wait, so a receiver always sees the
events in order of their ids. After WEBHOOK_RETRY_HOURS of failures the event is given up
(the administrator can replay it from the delivery log) and the queue moves on.

Signature (documented in the README): ``X-HHL-Signature: v1=<hex>``, the HMAC-SHA256, under
the webhook's secret, of ``<X-HHL-Timestamp>.<body>``.
"""

import datetime
import hashlib
import hmac
import http.client
import json
import logging
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from webhooks.models import Attempt, Delivery, DeliveryStatus, ErrorKind, Event, Webhook, validate_webhook_url

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-HHL-Signature"
TIMESTAMP_HEADER = "X-HHL-Timestamp"
EVENT_ID_HEADER = "X-HHL-Event-Id"
EVENT_TYPE_HEADER = "X-HHL-Event-Type"
USER_AGENT = "hhl-webhooks/1"
FIRST_PAUSE = datetime.timedelta(seconds=30)
LONGEST_PAUSE = datetime.timedelta(hours=1)
# A sender holds its webhook this long at most; it stops taking new events at half of it.
LEASE = datetime.timedelta(minutes=5)
BATCH = 200


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def pause_after(attempts: int) -> datetime.timedelta:
    """The wait after the ``attempts``-th failure in a row: doubling, at most an hour."""
    return min(FIRST_PAUSE * 2 ** min(attempts - 1, 20), LONGEST_PAUSE)


@dataclass
class Answer:
    code: int | None
    error_kind: str
    duration_ms: int


class Sender:
    """One keep-alive connection per webhook host for a run: a thousand events do not
    cost a thousand TCP (and TLS) handshakes."""

    def __init__(self, url: str):
        self.parts = urlsplit(url)
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        timeout = settings.WEBHOOK_TIMEOUT_SECONDS
        if self.parts.scheme == "https":
            return http.client.HTTPSConnection(
                self.parts.hostname, self.parts.port, timeout=timeout, context=ssl.create_default_context()
            )
        return http.client.HTTPConnection(self.parts.hostname, self.parts.port, timeout=timeout)

    def post(self, body: bytes, headers: dict[str, str]) -> Answer:
        path = self.parts.path or "/"
        if self.parts.query:
            path += "?" + self.parts.query
        started = time.perf_counter()
        code, kind = None, ErrorKind.NONE
        try:
            for retry_on_stale in (True, False):
                if self.connection is None:
                    self.connection = self._connect()
                try:
                    self.connection.request("POST", path, body=body, headers=headers)
                    response = self.connection.getresponse()
                    response.read(64 * 1024)  # not kept: what a receiver answers is not ours to log
                    if response.will_close:
                        self.close()
                    break
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                    # A kept-alive connection the receiver closed meanwhile: once more, anew.
                    self.close()
                    if not retry_on_stale:
                        raise
            code = response.status
            if not 200 <= code < 300:
                kind = ErrorKind.HTTP_STATUS
        except TimeoutError:
            kind = ErrorKind.TIMEOUT
        except ssl.SSLError:
            kind = ErrorKind.TLS
        except (OSError, http.client.HTTPException):
            kind = ErrorKind.CONNECTION
        if kind and kind != ErrorKind.HTTP_STATUS:
            self.close()
        return Answer(code, kind, round((time.perf_counter() - started) * 1000))

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _claim(webhook_id: int, now) -> datetime.datetime | None:
    """Take the webhook for ``LEASE`` with a conditional UPDATE: a second sender (the
    periodic sweep meeting the one queued by a commit) finds it taken and leaves."""
    until = now + LEASE
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    claimed = Webhook.objects.filter(free, pk=webhook_id, active=True).update(lease_until=until)
    return until if claimed else None


def deliver(webhook_id: int) -> int:
    """Send this webhook's due events, in order; returns how many were delivered."""
    started = timezone.now()
    lease = _claim(webhook_id, started)
    if lease is None:
        return 0
    try:
        webhook = Webhook.objects.get(pk=webhook_id)
        sender = Sender(webhook.url)
        try:
            return _send_queue(webhook, sender, stop_at=started + LEASE / 2)
        finally:
            sender.close()
    finally:
        Webhook.objects.filter(pk=webhook_id, lease_until=lease).update(lease_until=None)


def _send_queue(webhook: Webhook, sender: Sender, *, stop_at) -> int:
    url_error = _url_error(webhook.url)
    secret = webhook.plain_secret()
    delivered = 0
    while True:
        batch = list(
            Delivery.objects.filter(webhook=webhook, status=DeliveryStatus.PENDING)
            .select_related("event__unit")
            .order_by("event_id")[:BATCH]
        )
        if not batch:
            return delivered
        for delivery in batch:
            if delivery.next_attempt_at > timezone.now() or timezone.now() >= stop_at:
                return delivered  # the head of the queue waits for its next try
            if _attempt(delivery, sender, secret, url_error):
                delivered += 1
            elif delivery.status == DeliveryStatus.PENDING:
                return delivered  # failed: the events after it wait, to stay in order


def _url_error(url: str) -> str:
    # Checked again at sending: a deployment may have tightened its settings since the
    # webhook was registered.
    try:
        validate_webhook_url(url)
    except ValidationError:
        return ErrorKind.REFUSED_URL
    return ErrorKind.NONE


def _attempt(delivery: Delivery, sender: Sender, secret: str, url_error: str) -> bool:
    """Send one delivery, log the attempt, and move the delivery on; True if delivered."""
    attempted_at = timezone.now()
    if url_error:
        answer = Answer(None, url_error, 0)
    else:
        body = body_of(delivery.event.payload())
        timestamp = str(int(time.time()))
        answer = sender.post(
            body,
            {
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": USER_AGENT,
                EVENT_ID_HEADER: str(delivery.event_id),
                EVENT_TYPE_HEADER: delivery.event.type,
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: signature(secret, timestamp, body),
            },
        )
    with transaction.atomic():
        _record(delivery, attempted_at, answer)
    if answer.error_kind:
        # Ids and codes only: the payload may not be logged (it is kept in the outbox).
        logger.warning(
            "webhook %s: event %s not delivered (%s, answer %s, %s ms); %s",
            delivery.webhook_id,
            delivery.event_id,
            answer.error_kind,
            answer.code,
            answer.duration_ms,
            "given up"
            if delivery.status == DeliveryStatus.FAILED
            else f"next try {delivery.next_attempt_at:%H:%M:%S}",
        )
    return not answer.error_kind


def _record(delivery: Delivery, attempted_at, answer: Answer) -> None:
    Attempt.objects.create(
        delivery=delivery,
        attempted_at=attempted_at,
        response_code=answer.code,
        duration_ms=answer.duration_ms,
        error_kind=answer.error_kind,
    )
    delivery.attempts += 1
    now = timezone.now()
    if not answer.error_kind:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
    elif now - delivery.retry_from >= datetime.timedelta(hours=settings.WEBHOOK_RETRY_HOURS):
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.next_attempt_at = now + pause_after(_failures_in_a_row(delivery))
    delivery.save(update_fields=["status", "attempts", "delivered_at", "next_attempt_at"])


def _failures_in_a_row(delivery: Delivery) -> int:
    return delivery.attempt_log.filter(attempted_at__gte=delivery.retry_from).count()


def due_webhooks() -> list[int]:
    now = timezone.now()
    due = Delivery.objects.filter(
        webhook=OuterRef("pk"), status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    )
    return list(Webhook.objects.filter(active=True).filter(Exists(due)).values_list("pk", flat=True))


def deliver_due() -> int:
    """The periodic sweep: every webhook with an event due (retries, and events whose
    queued task was lost)."""
    return sum(deliver(webhook_id) for webhook_id in due_webhooks())


def replay(deliveries, *, now=None) -> list[int]:
    """Send these deliveries again (the admin's action): pending from now, retried anew.
    Their earlier attempts stay in the log; each is saved, so that the audit log names who
    sent what again. Returns the webhooks to send for."""
    now = now or timezone.now()
    webhooks = set()
    for delivery in deliveries.order_by("event_id"):
        delivery.status, delivery.next_attempt_at, delivery.retry_from = DeliveryStatus.PENDING, now, now
        delivery.delivered_at = None
        delivery.save(update_fields=["status", "next_attempt_at", "retry_from", "delivered_at"])
        webhooks.add(delivery.webhook_id)
    return sorted(webhooks)


# Deleted this many at a time: a province writes millions of events a year, and one
# DELETE of them all would hold its locks (and the replica's replay) for minutes.
FORGET_BATCH = 5000


def forget_old(*, now=None) -> int:
    """Delete the delivery log older than WEBHOOK_LOG_DAYS: deliveries delivered before then,
    or given up and retried from before then, with their attempts, and the events no
    delivery names any more. A pending delivery stays however old (its receiver may come
    back), and so does its event. Returns the number of deliveries deleted.

    The log is an operations record (what was sent where, and how it went), not the
    households' history: the changes themselves stay in their own tables."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.WEBHOOK_LOG_DAYS)
    settled = Delivery.objects.filter(
        Q(status=DeliveryStatus.DELIVERED, delivered_at__lt=cutoff)
        | Q(status=DeliveryStatus.FAILED, retry_from__lt=cutoff)
    )
    deleted = 0
    while ids := list(settled.order_by("pk").values_list("pk", flat=True)[:FORGET_BATCH]):
        _, counts = Delivery.objects.filter(pk__in=ids).delete()  # their attempts with them
        deleted += counts.get(Delivery._meta.label, 0)
    orphans = Event.objects.filter(occurred_at__lt=cutoff).exclude(
        Exists(Delivery.objects.filter(event=OuterRef("pk")))
    )
    while ids := list(orphans.order_by("pk").values_list("pk", flat=True)[:FORGET_BATCH]):
        Event.objects.filter(pk__in=ids).delete()
    if deleted:
        logger.info(
            "webhook log: %d deliveries older than %d days deleted", deleted, settings.WEBHOOK_LOG_DAYS
        )
    return deleted
