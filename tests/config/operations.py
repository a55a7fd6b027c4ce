"""Helpers for the tests of health and metrics: our Redis databases and a closed port."""

import os
import socket

import pytest
import redis

# The Redis databases this suite's operations tests may use: 11 the broker's, 12 the cache's.
REDIS_HOST = os.environ.get("HHL_TEST_REDIS_HOST", "127.0.0.1:6379")
BROKER_URL = f"redis://{REDIS_HOST}/11"
CACHE_URL = f"redis://{REDIS_HOST}/12"
OUTSIDER = "203.0.113.7"  # TEST-NET-3: never an address of ours


def redis_is_up() -> bool:
    try:
        return redis.Redis.from_url(BROKER_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_is_up(), reason=f"needs Redis at {REDIS_HOST}")


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
