"""Writing a message for a user on the channel they chose, and sending it: at once when it
is urgent or the hour allows, else when quiet hours end; tried again after a growing pause
when the provider is busy or down; never twice once a provider accepted it.

``send`` writes the ``Message`` under its key (the same key twice is the same message);
``deliver`` claims one with a conditional UPDATE, sends it, and records the attempt. A
try whose request left without an answer is marked "answer unknown" unless the channel
drops duplicates (WeCom app messages): an SMS is never sent twice.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from messaging import registry
from messaging.channels import NoAddress, Outcome, backend
from messaging.models import Attempt, Channel, Contact, Message, Preference, Status

logger = logging.getLogger(__name__)

FIRST_PAUSE = datetime.timedelta(seconds=30)
LONGEST_PAUSE = datetime.timedelta(hours=1)
LEASE = datetime.timedelta(minutes=2)
# Channels whose provider drops a duplicate (or that reach no provider): a sender that
# died mid-send may send again.
SAFE_TO_REPEAT = {Channel.INAPP, Channel.WECOM}


# -- quiet hours ------------------------------------------------------------------------


def quiet_hours() -> tuple[datetime.time, datetime.time] | None:
    """MESSAGES_QUIET_HOURS, "21:00-07:00" (local time), or None when empty."""
    text = settings.MESSAGES_QUIET_HOURS.strip()
    if not text:
        return None
    start, end = (datetime.time.fromisoformat(part.strip()) for part in text.split("-"))
    return start, end


def quiet_until(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When quiet hours end, if ``now`` is inside them; None outside."""
    hours = quiet_hours()
    if hours is None:
        return None
    start, end = hours
    local = timezone.localtime(now or timezone.now())
    t = local.time()
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, end), local.tzinfo)


# -- choosing the channel ---------------------------------------------------------------


def has_address(channel: str, user, contact: Contact | None) -> bool:
    if channel == Channel.EMAIL:
        return bool(user.email)
    if channel == Channel.WECOM:
        return bool(contact and contact.wecom_userid)
    if channel == Channel.WECOM_ROBOT:
        return bool(contact and contact.wecom_robot_key)
    if channel == Channel.SMS:
        return bool(contact and contact.mobile)
    return True


@dataclass
class Routes:
    """Every recipient's contact and choices, read once for a batch of messages."""

    contacts: dict[int, Contact]
    preferences: dict[tuple[int, str], str]

    @classmethod
    def for_users(cls, user_ids) -> "Routes":
        ids = list(set(user_ids))
        contacts, preferences = {}, {}
        for start in range(0, len(ids), 2000):
            chunk = ids[start : start + 2000]
            contacts |= {c.user_id: c for c in Contact.objects.filter(user_id__in=chunk)}
            preferences |= {
                (user_id, kind): channel
                for user_id, kind, channel in Preference.objects.filter(user_id__in=chunk).values_list(
                    "user_id", "kind", "channel"
                )
            }
        return cls(contacts, preferences)

    def channel(self, user, kind: str) -> str:
        """The kind's choice, else the user's channel, else the site's; in-app only where
        the chosen channel has no address for the user."""
        contact = self.contacts.get(user.pk)
        channel = (
            self.preferences.get((user.pk, kind))
            or (contact.channel if contact else "")
            or settings.MESSAGES_DEFAULT_CHANNEL
        )
        return channel if has_address(channel, user, contact) else Channel.INAPP

    def quiet(self, user) -> bool:
        contact = self.contacts.get(user.pk)
        return contact.quiet_hours if contact else True


def channel_for(user, kind: str) -> str:
    return Routes.for_users([user.pk]).channel(user, kind)


# -- writing ------------------------------------------------------------------------------


def build(
    *,
    recipient,
    kind: str,
    subject: str,
    body: str,
    key: str,
    link: str = "",
    urgent=None,
    routes: Routes | None = None,
    now=None,
) -> Message:
    """The message, unsaved: its channel and when it may go (quiet hours hold what is
    not urgent on a channel that buzzes a phone)."""
    routes = routes or Routes.for_users([recipient.pk])
    now = now or timezone.now()
    urgent = registry.kind(kind).urgent if urgent is None else urgent
    channel = routes.channel(recipient, kind)
    not_before = now
    if not urgent and backend(channel).interrupts and routes.quiet(recipient):
        not_before = quiet_until(now) or now
    return Message(
        key=key[:100],
        recipient=recipient,
        kind=kind,
        channel=channel,
        urgent=bool(urgent),
        subject=subject[:200],
        body=body,
        link=link[:300],
        created_at=now,
        next_attempt_at=not_before,
    )


def send(
    *,
    recipient,
    kind: str,
    subject: str,
    body: str,
    key: str,
    link: str = "",
    urgent=None,
    queue: bool = True,
) -> Message:
    """Write a message (or find the one written under ``key``) and, with ``queue``, have a
    worker send it as soon as the transaction commits, if it may go now."""
    message = build(
        recipient=recipient, kind=kind, subject=subject, body=body, key=key, link=link, urgent=urgent
    )
    Message.objects.bulk_create([message], ignore_conflicts=True)
    message = Message.objects.get(key=message.key)
    if queue and message.status == Status.PENDING and message.next_attempt_at <= timezone.now():
        transaction.on_commit(lambda pk=message.pk: send_soon(pk), robust=True)
    return message


def send_soon(message_id: int) -> None:
    from messaging.tasks import send_message

    send_message.delay(message_id)


# -- sending ------------------------------------------------------------------------------


def pause_after(attempts: int) -> datetime.timedelta:
    """The wait after the ``attempts``-th failure: 30 s, 1 min, 2 min ... at most an hour."""
    return min(FIRST_PAUSE * 2 ** min(max(attempts - 1, 0), 20), LONGEST_PAUSE)


def _claim(message_id: int, now) -> bool:
    due = Q(status=Status.PENDING, next_attempt_at__lte=now)
    return bool(
        Message.objects.filter(due, pk=message_id).update(status=Status.SENDING, lease_until=now + LEASE)
    )


def deliver(message_id: int) -> Outcome | None:
    """Send one message if it is due and nobody else is sending it; None when not."""
    now = timezone.now()
    if not _claim(message_id, now):
        return None
    message = Message.objects.select_related("recipient__message_contact").get(pk=message_id)
    return _send(message, now=now, reraise=True)


def _send(message: Message, *, now, reraise: bool) -> Outcome | None:
    contact = getattr(message.recipient, "message_contact", None)
    try:
        outcome = backend(message.channel).send(message, contact)
    except NoAddress:
        outcome = Outcome(error="no_address", code="no_address")
    except Exception:
        # A bug or a broken backend: put the claim back to be tried again, and let it show.
        Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
            status=Status.PENDING, lease_until=None, next_attempt_at=now + pause_after(message.attempts + 1)
        )
        if reraise:
            raise
        logger.exception("message %s (%s, %s): the channel failed", message.pk, message.kind, message.channel)
        return None
    _record(message, outcome)
    return outcome


BATCH = 100


def deliver_many(message_ids) -> int:
    """Send these messages, those due and free, claimed a hundred at a time (one sender
    each: a claim skips the rows another sender holds). Returns how many were sent."""
    ids, sent = list(message_ids), 0
    for start in range(0, len(ids), BATCH):
        now = timezone.now()
        with transaction.atomic():
            claimed = list(
                Message.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk__in=ids[start : start + BATCH], status=Status.PENDING, next_attempt_at__lte=now)
                .values_list("pk", flat=True)
            )
            Message.objects.filter(pk__in=claimed).update(status=Status.SENDING, lease_until=now + LEASE)
        for message in Message.objects.filter(pk__in=claimed).select_related("recipient__message_contact"):
            outcome = _send(message, now=now, reraise=False)
            sent += bool(outcome and outcome.sent)
    return sent


def _record(message: Message, outcome: Outcome) -> None:
    """The message's new state first (what keeps it from being sent twice), then the
    attempt's line in its log: two statements, no transaction around them (a morning's
    thousands of messages pay two round trips each, not four)."""
    now = timezone.now()
    message.attempts += 1
    message.provider_code = outcome.code[:64]
    message.lease_until = None
    if outcome.sent:
        message.status, message.sent_at = Status.SENT, now
        message.provider_id = outcome.provider_id
    elif outcome.uncertain:
        message.status = Status.UNKNOWN
    elif outcome.retry and now - message.created_at < datetime.timedelta(hours=settings.MESSAGES_RETRY_HOURS):
        message.status = Status.PENDING
        message.next_attempt_at = now + pause_after(message.attempts)
    else:
        message.status = Status.FAILED
    message.save(
        update_fields=[
            "status",
            "attempts",
            "provider_code",
            "provider_id",
            "sent_at",
            "next_attempt_at",
            "lease_until",
        ]
    )
    Attempt.objects.create(
        message=message,
        attempted_at=now,
        http_status=outcome.http_status,
        provider_code=outcome.code[:64],
        error=outcome.error[:32],
        duration_ms=outcome.duration_ms,
    )
    if not outcome.sent:
        # Ids and codes only: never the text, the phone number or the address (PIPL).
        logger.warning(
            "message %s (%s, %s) to user %s not sent: %s %s; %s",
            message.pk,
            message.kind,
            message.channel,
            message.recipient_id,
            outcome.error or "answer",
            outcome.code,
            message.get_status_display(),
        )


def recover_abandoned(now=None) -> int:
    """Messages whose sender died mid-send (the claim ran out): sent again where the
    channel drops duplicates, else marked "answer unknown" (the admin can send again)."""
    now = now or timezone.now()
    stale = Message.objects.filter(status=Status.SENDING, lease_until__lt=now)
    again = stale.filter(channel__in=SAFE_TO_REPEAT).update(status=Status.PENDING, lease_until=None)
    unknown = stale.update(status=Status.UNKNOWN, lease_until=None, provider_code="abandoned")
    return again + unknown


def due_messages(now=None, limit: int = 1000) -> list[int]:
    now = now or timezone.now()
    return list(
        Message.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .order_by("-urgent", "next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


# A sweep stops taking new batches after this long: the next one (a minute later) goes on.
SWEEP_SECONDS = 50


def deliver_due() -> int:
    """The periodic sweep: what quiet hours held (a county's morning at 07:00), retries
    whose time came, and messages whose queued task was lost, urgent ones first, in
    batches. Returns how many were sent."""
    recover_abandoned()
    started = timezone.now()
    sent, tried = 0, set()
    while timezone.now() - started < datetime.timedelta(seconds=SWEEP_SECONDS):
        batch = [pk for pk in due_messages() if pk not in tried]
        if not batch:
            break
        tried.update(batch)
        sent += deliver_many(batch)
    return sent


def send_again(messages) -> int:
    """The admin's action: given up, or answer unknown, sent again from now (and retried
    for MESSAGES_RETRY_HOURS from now: ``created_at`` is where retrying is counted from)."""
    return messages.filter(status__in=[Status.FAILED, Status.UNKNOWN]).update(
        status=Status.PENDING, next_attempt_at=timezone.now(), created_at=timezone.now()
    )


# Deleted this many at a time, as the webhook log is: one DELETE of a county's months
# would hold its locks for minutes.
FORGET_BATCH = 5000


def forget_old(*, now=None) -> int:
    """Delete the send log older than MESSAGES_LOG_DAYS: messages sent, given up or with
    their answer unknown, created before then, with their attempts. A message still
    waiting or being sent stays. The log holds household numbers and what was said, kept
    no longer than someone may ask what reached whom (PIPL: minimum necessary); the
    notices themselves stay in the inbox. Returns the number of messages deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.MESSAGES_LOG_DAYS)
    settled = Message.objects.filter(
        status__in=[Status.SENT, Status.FAILED, Status.UNKNOWN], created_at__lt=cutoff
    )
    deleted = 0
    while ids := list(settled.order_by("pk").values_list("pk", flat=True)[:FORGET_BATCH]):
        _, counts = Message.objects.filter(pk__in=ids).delete()  # their attempts with them
        deleted += counts.get(Message._meta.label, 0)
    if deleted:
        logger.info(
            "message log: %d messages older than %d days deleted", deleted, settings.MESSAGES_LOG_DAYS
        )
    return deleted
