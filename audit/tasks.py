"""The audit log's periodic job: thin, it calls the service (see monitoring.tasks)."""

from celery import shared_task

from audit import archive as archiving
from common.tasks import RETRY


@shared_task(name="audit.archive", **RETRY)
def archive():
    event = archiving.archive()
    return event.detail["count"] if event else 0
