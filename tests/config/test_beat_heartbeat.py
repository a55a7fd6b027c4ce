"""Beat is alive when its heartbeat job, sent every minute and run by a worker, ran in the
last HEARTBEAT_MAX_AGE_SECONDS: a stale heartbeat means beat or its workers are down."""

import datetime

import pytest
import time_machine
from django_celery_beat.models import PeriodicTask

from config.models import Heartbeat
from config.tasks import heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_redis(settings):
    settings.CACHE_URL = ""


def beat(client):
    return client.get("/health/").json()["checks"]["beat"]


def test_the_heartbeat_job_is_scheduled_every_minute_by_the_migration():
    job = PeriodicTask.objects.get(task="config.heartbeat")

    assert (job.interval.every, job.interval.period) == (60, "seconds")
    assert job.enabled
    # A heartbeat queued while the workers were down is dropped, not run late.
    assert job.expire_seconds < 60


def test_beat_is_alive_just_after_the_heartbeat_ran(client):
    heartbeat.apply()

    answer = beat(client)

    assert answer["status"] == "ok"
    assert answer["reason"] in {f"last heartbeat {seconds} s ago" for seconds in range(3)}


def test_beat_is_failing_when_the_heartbeat_is_stale(client, settings):
    settings.HEARTBEAT_MAX_AGE_SECONDS = 300
    heartbeat.apply()

    with time_machine.travel(datetime.timedelta(minutes=7)):
        response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == {"status": "failing", "reason": "last heartbeat 7 min ago"}


def test_beat_is_failing_when_the_heartbeat_never_ran(client):
    Heartbeat.objects.all().delete()

    assert beat(client) == {"status": "failing", "reason": "the heartbeat job never ran"}


def test_a_second_heartbeat_moves_the_one_row_on():
    heartbeat.apply()
    with time_machine.travel(datetime.timedelta(minutes=1)):
        heartbeat.apply()

    assert Heartbeat.objects.count() == 1
