"""Thin tasks: each calls ``webhooks.delivery``. Both are safe to run twice or at once
(a sender claims its webhook first)."""

from celery import shared_task

from common.tasks import RETRY
from webhooks import delivery


@shared_task(name="webhooks.deliver", **RETRY)
def deliver(webhook_id: int) -> int:
    return delivery.deliver(webhook_id)


@shared_task(name="webhooks.deliver_due", **RETRY)
def deliver_due() -> int:
    return delivery.deliver_due()


@shared_task(name="webhooks.forget_old", **RETRY)
def forget_old() -> int:
    return delivery.forget_old()
