"""The broker through Redis Sentinel, for real: a sentinel on loopback watches the Redis at
REDIS_URL, and the project, given only sentinel URLs and the master's name, finds that
server and queues its task there. The first sentinel of the list is down, as one may be."""

import os
import shutil
import subprocess
import sys
import uuid

import pytest
import redis

from config.env import redis_database
from tests.servers import REDIS_URL, ROOT, delete_prefixed, free_port, needs_redis_url, redis_sentinel

MASTER = f"hhl-test-{uuid.uuid4().hex[:8]}"

pytestmark = [
    pytest.mark.real_clock,
    needs_redis_url,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server to run a sentinel"),
]


@pytest.fixture
def sentinel(tmp_path):
    with redis_sentinel(REDIS_URL, MASTER, tmp_path) as port:
        yield port


QUEUE = """
import django
django.setup()
from config.celery import app
app.send_task("monitoring.mark_missed")
"""


def test_a_task_is_queued_on_the_master_the_sentinels_name(sentinel, tmp_path):
    *_, db = redis_database(REDIS_URL)
    prefix = f"hhl-test-{uuid.uuid4().hex}:"
    down = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": str(ROOT),
        "CELERY_BROKER_URL": f"sentinel://127.0.0.1:{down}/{db};sentinel://127.0.0.1:{sentinel}/{db}",
        "CELERY_BROKER_MASTER_NAME": MASTER,
        "BROKER_KEY_PREFIX": prefix,
    }
    try:
        result = subprocess.run(
            [sys.executable, "-c", QUEUE], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )
        queued = redis.Redis.from_url(REDIS_URL).llen(f"{prefix}engine")
    finally:
        delete_prefixed(REDIS_URL, prefix)

    assert result.returncode == 0, result.stderr[-3000:]
    assert queued == 1
