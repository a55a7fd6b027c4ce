"""Periodic jobs. Thin: each looks nothing up but the date and calls a service.

Every task may run twice or concurrently (late acknowledgement re-delivers a task whose
worker died); the services are written for that.
"""

from celery import shared_task

from common.tasks import RETRY
from monitoring import followups, outbound, snapshots, wall


@shared_task(name="monitoring.generate_follow_ups", **RETRY)
def generate_follow_ups():
    return followups.generate_follow_ups()


@shared_task(name="monitoring.mark_missed", **RETRY)
def mark_missed():
    missed = followups.mark_missed()
    # The hourly hand-on of notifications to their channels (misses themselves wait for
    # the morning digest).
    outbound.dispatch_notifications()
    return missed


@shared_task(name="monitoring.snapshot_tiers", **RETRY)
def snapshot_tiers():
    return snapshots.take_tier_snapshots()


@shared_task(name="monitoring.count_walls", **RETRY)
def count_walls():
    return wall.count_walls()
