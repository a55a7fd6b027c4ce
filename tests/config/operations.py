"""Helpers for the tests of health and metrics: our Redis databases and a closed port."""

import os

import pytest

from tests.servers import free_port, redis_is_up

# The Redis databases this suite's operations tests may use: 11 the broker's, 12 the cache's.
REDIS_HOST = os.environ.get("HHL_TEST_REDIS_HOST", "127.0.0.1:6379")
BROKER_URL = f"redis://{REDIS_HOST}/11"
CACHE_URL = f"redis://{REDIS_HOST}/12"
OUTSIDER = "203.0.113.7"  # TEST-NET-3: never an address of ours

needs_redis = pytest.mark.skipif(not redis_is_up(BROKER_URL), reason=f"needs Redis at {REDIS_HOST}")

# A loopback port nothing listens on: bound, then released.
closed_port = free_port
