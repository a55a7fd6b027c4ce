"""The send log does not grow for ever: messages settled (sent, given up, answer unknown)
more than MESSAGES_LOG_DAYS ago are deleted nightly with their attempts; a message still
waiting stays, however old."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from messaging.models import Attempt, Message
from messaging.sending import deliver, forget_old
from tests.messaging.helpers import write

pytestmark = pytest.mark.django_db


def test_settled_messages_older_than_the_log_days_go_with_their_attempts(wecom, worker, settings):
    settings.MESSAGES_LOG_DAYS = 90
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = write(worker, channel="wecom", key="old")
        deliver(old.pk)
        waiting = write(worker, channel="inapp", key="waiting")
        Message.objects.filter(pk=waiting.pk).update(status="pending")
    with time_machine.travel(start + datetime.timedelta(days=80), tick=False):
        recent = write(worker, channel="wecom", key="recent")
        deliver(recent.pk)

    with time_machine.travel(start + datetime.timedelta(days=91), tick=False):
        assert forget_old() == 1

    assert set(Message.objects.values_list("key", flat=True)) == {"waiting", "recent"}
    assert set(Attempt.objects.values_list("message__key", flat=True)) == {"recent"}


def test_the_nightly_job_is_scheduled_by_the_migration():
    job = PeriodicTask.objects.get(task="messaging.forget_old")

    assert (job.crontab.hour, job.crontab.minute, str(job.crontab.timezone)) == ("3", "55", "Asia/Shanghai")
