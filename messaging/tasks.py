"""Thin tasks: each calls a service of messaging. Safe to run twice or at once: a sender
claims its message first, and the digest is written once per person and day."""

from celery import shared_task
from django.utils import timezone

from common.tasks import RETRY
from messaging import digest, sending
from messaging.models import Message, Status


@shared_task(name="messaging.send_message", bind=True, **{**RETRY, "max_retries": 12})
def send_message(self, message_id: int):
    """Send one message; a provider that is busy or down has it tried again by Celery,
    after the pause the message's log sets (the sweep catches any retry that is lost)."""
    outcome = sending.deliver(message_id)
    if outcome is not None and outcome.retry:
        message = Message.objects.get(pk=message_id)
        if message.status == Status.PENDING:
            wait = max((message.next_attempt_at - timezone.now()).total_seconds(), 1)
            raise self.retry(countdown=wait)
    return bool(outcome and outcome.sent)


@shared_task(name="messaging.send_due", **RETRY)
def send_due():
    return sending.deliver_due()


@shared_task(name="messaging.send_digests", **RETRY)
def send_digests():
    return digest.send_digests()


@shared_task(name="messaging.forget_old", **RETRY)
def forget_old():
    return sending.forget_old()
