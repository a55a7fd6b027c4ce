from celery import shared_task
from django.utils import timezone

from common.tasks import RETRY
from config import partitions
from config.models import Heartbeat

BEAT = "beat"


@shared_task(name="config.heartbeat", ignore_result=True)
def heartbeat():
    # An upsert: two workers running it at once both succeed, and the newest time wins.
    Heartbeat.objects.update_or_create(name=BEAT, defaults={"ran_at": timezone.now()})


# The daily upkeep of the month-partitioned history tables: thin, it calls the service.
@shared_task(name="partitions.maintain", **RETRY)
def maintain_partitions():
    return partitions.maintain()
