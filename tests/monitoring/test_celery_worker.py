"""The periodic jobs for real: a Celery worker with beat, on Redis, writing to PostgreSQL."""

import time
import uuid

import pytest
import redis
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from monitoring.models import FollowUp
from tests.households.factories import HouseholdFactory, default_tier
from tests.servers import REDIS_URL, celery_worker, delete_prefixed, needs_redis_url

pytestmark = [
    pytest.mark.real_clock,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs a database it can share"),
]


@pytest.mark.parametrize(
    "broker",
    [
        pytest.param("redis", marks=needs_redis_url),
        # The embedded demo's transport: files in a folder, no server.
        "filesystem://",
    ],
)
def test_beat_schedules_generation_and_the_worker_writes_the_follow_ups(grid, tmp_path, broker):
    for code in ["red", "yellow", "green"] * 5:
        HouseholdFactory(unit=grid.building_1, tier=default_tier(code))
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="test: generate", task="monitoring.generate_follow_ups", interval=every_second
    )
    prefix = f"hhl-test-{uuid.uuid4().hex}:"
    if broker == "redis":
        broker = REDIS_URL
        someone_elses = f"hhl-test-someone-else-{uuid.uuid4().hex}"
        redis.Redis.from_url(REDIS_URL).set(someone_elses, "theirs", ex=600)
    env = {
        "CELERY_BROKER_URL": broker,
        "BROKER_KEY_PREFIX": prefix,
        "CELERY_QUEUE_DIR": str(tmp_path / "queue"),
    }
    worker = celery_worker(env, "--beat", "--schedule", str(tmp_path / "beat-schedule"))
    try:
        deadline = time.monotonic() + 90
        while FollowUp.objects.count() < 15 and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.5)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
        if broker == REDIS_URL:
            ours = delete_prefixed(REDIS_URL, prefix)
            server = redis.Redis.from_url(REDIS_URL)
            theirs = server.get(someone_elses)
            server.delete(someone_elses)

    assert FollowUp.objects.count() == 15, output[-3000:]
    assert FollowUp.objects.filter(status="open").count() == 15
    assert "monitoring.generate_follow_ups" in output
    if broker == REDIS_URL:
        assert ours, "the worker wrote no key under its prefix"
        assert theirs == b"theirs"
