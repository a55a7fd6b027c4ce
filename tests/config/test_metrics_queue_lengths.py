"""The messages waiting in each queue, read from the broker (Redis) when Prometheus
scrapes, whatever their priority."""

import re
import uuid

import pytest
import redis

from tests.config.operations import BROKER_URL, closed_port, needs_redis
from tests.servers import delete_prefixed

pytestmark = pytest.mark.django_db


def queue_lengths(client) -> dict[str, float]:
    text = client.get("/metrics").content.decode()
    found = re.findall(r'^hhl_celery_queue_length\{queue="(\w+)"\} (\S+)$', text, re.MULTILINE)
    return {queue: float(length) for queue, length in found}


@pytest.fixture
def broker(settings):
    """Our broker database, under a prefix of this test's own (deleted afterwards)."""
    prefix = f"hhl-test-{uuid.uuid4().hex}:"
    settings.CELERY_BROKER_URL = BROKER_URL
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": prefix}
    server = redis.Redis.from_url(BROKER_URL)
    yield server, prefix
    delete_prefixed(BROKER_URL, prefix)


@needs_redis
def test_each_queues_waiting_messages_are_counted_at_the_scrape(client, broker):
    server, prefix = broker
    server.lpush(f"{prefix}engine", "a", "b", "c")
    # Kombu keeps a message sent with priority 3 in a list beside its queue.
    server.lpush(f"{prefix}celery\x06\x163", "d")
    server.lpush(f"{prefix}celery", "e")

    assert queue_lengths(client) == {"engine": 3.0, "bulk": 0.0, "messages": 0.0, "celery": 2.0}

    server.rpop(f"{prefix}engine")

    assert queue_lengths(client)["engine"] == 2.0


@needs_redis
def test_the_queues_named_in_the_settings_are_the_ones_counted(client, broker, settings):
    from kombu import Queue

    server, prefix = broker
    settings.CELERY_TASK_QUEUES = [Queue("engine"), Queue("imports")]
    server.lpush(f"{prefix}imports", "a")

    assert queue_lengths(client) == {"engine": 0.0, "imports": 1.0}


def test_an_unreachable_broker_leaves_the_queues_out_and_the_rest_is_served(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/11"

    response = client.get("/metrics")

    assert response.status_code == 200
    assert queue_lengths(client) == {}
    assert b"hhl_http_request_duration_seconds" in response.content
