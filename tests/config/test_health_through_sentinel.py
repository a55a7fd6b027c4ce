"""A broker reached through Redis Sentinel: the broker's check and the queue lengths ask
the master the sentinels name (a real sentinel on loopback; the first of the list down)."""

import re
import shutil
import subprocess
import time
import uuid

import pytest
import redis

from config.env import redis_database
from tests.config.operations import BROKER_URL, closed_port, needs_redis

pytestmark = [
    pytest.mark.django_db,
    needs_redis,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server to run a sentinel"),
]
MASTER = f"hhl-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sentinel(tmp_path):
    host, port, _ = redis_database(BROKER_URL)
    listen = closed_port()
    conf = tmp_path / "sentinel.conf"  # a sentinel rewrites its own file
    conf.write_text(f"port {listen}\nbind 127.0.0.1\nsentinel monitor {MASTER} {host} {port} 1\n")
    process = subprocess.Popen(
        ["redis-server", str(conf), "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        client = redis.Redis(port=listen, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if client.sentinel_get_master_addr_by_name(MASTER):
                    break
            except redis.RedisError:
                pass
            time.sleep(0.2)
        yield listen
    finally:
        process.terminate()
        process.wait(timeout=10)


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
    server = redis.Redis.from_url(BROKER_URL)
    try:
        server.lpush(f"{prefix}engine", "a", "b")
        checks = client.get("/health/").json()["checks"]
        metrics = client.get("/metrics").content.decode()
    finally:
        ours = list(server.scan_iter(match=f"{prefix}*"))
        if ours:
            server.delete(*ours)

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
