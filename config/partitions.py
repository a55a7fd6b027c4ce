"""The daily upkeep of the month-partitioned history tables (common.partitions), with the
deployment's settings: months made ahead, old months detached. The audit log is kept out of
detaching: audit.archive moves its old rows to files, chain intact, and drops the months
it has emptied."""

from django.conf import settings
from django.utils import timezone

from audit.models import AuditEvent
from common import partitions


def maintain(today=None) -> dict:
    return partitions.maintain(
        today or timezone.localdate(),
        ahead=settings.PARTITION_MONTHS_AHEAD,
        attached=settings.PARTITION_ATTACHED_MONTHS,
        kept=(AuditEvent._meta.db_table,),
    )
