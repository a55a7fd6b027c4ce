"""A broker reached through Redis Sentinel: the broker's check and the queue lengths ask
the master the sentinels name (a real sentinel on loopback; the first of the list down)."""

import re
import shutil
import uuid

import pytest
import redis

from config.env import redis_database
from tests.config.operations import BROKER_URL, closed_port, needs_redis
from tests.servers import delete_prefixed, redis_sentinel

pytestmark = [
    pytest.mark.django_db,
    needs_redis,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server to run a sentinel"),
]
MASTER = f"hhl-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sentinel(tmp_path):
    with redis_sentinel(BROKER_URL, MASTER, tmp_path) as port:
        yield port


def test_the_broker_check_and_the_queue_lengths_reach_the_master_the_sentinels_name(
    client, settings, sentinel
):
    *_, db = redis_database(BROKER_URL)
    prefix = f"hhl-test-{uuid.uuid4().hex}:"
    settings.CELERY_BROKER_URL = (
        f"sentinel://127.0.0.1:{closed_port()}/{db};sentinel://127.0.0.1:{sentinel}/{db}"
    )
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"master_name": MASTER, "global_keyprefix": prefix}
    settings.CACHE_URL = ""
    try:
        redis.Redis.from_url(BROKER_URL).lpush(f"{prefix}engine", "a", "b")
        checks = client.get("/health/").json()["checks"]
        metrics = client.get("/metrics").content.decode()
    finally:
        delete_prefixed(BROKER_URL, prefix)

    assert checks["broker"] == {"status": "ok", "reason": "ok"}
    assert re.search(r'^hhl_celery_queue_length\{queue="engine"\} 2\.0$', metrics, re.MULTILINE), metrics[
        -2000:
    ]


def test_sentinels_that_all_are_down_fail_the_broker_check(client, settings):
    settings.CELERY_BROKER_URL = f"sentinel://127.0.0.1:{closed_port()}/11"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"master_name": MASTER}
    settings.CACHE_URL = ""

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"status": "failing", "reason": "unreachable"}
