"""The broker through Redis Sentinel, for real: a sentinel on loopback watches the Redis at
REDIS_URL, and the project, given only sentinel URLs and the master's name, finds that
server and queues its task there. The first sentinel of the list is down, as one may be."""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

from config.env import redis_database

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")
MASTER = f"hhl-test-{uuid.uuid4().hex[:8]}"


def redis_is_up():
    if not REDIS_URL:
        return False
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.real_clock,
    pytest.mark.skipif(not redis_is_up(), reason="needs Redis at REDIS_URL (not set or down)"),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server to run a sentinel"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sentinel(tmp_path):
    host, port, _ = redis_database(REDIS_URL)
    listen = free_port()
    # A sentinel rewrites its own file: one in the test's folder.
    conf = tmp_path / "sentinel.conf"
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
    server = redis.Redis.from_url(REDIS_URL)
    try:
        result = subprocess.run(
            [sys.executable, "-c", QUEUE], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )
        queued = server.llen(f"{prefix}engine")
    finally:
        ours = list(server.scan_iter(match=f"{prefix}*"))
        if ours:
            server.delete(*ours)

    assert result.returncode == 0, result.stderr[-3000:]
    assert queued == 1
