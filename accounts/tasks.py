"""The accounts' periodic job: thin, it calls the service (see monitoring.tasks)."""

from celery import shared_task

from accounts import idempotency
from common.tasks import RETRY


@shared_task(name="accounts.forget_idempotency_keys", **RETRY)
def forget_idempotency_keys():
    return idempotency.forget_expired()
