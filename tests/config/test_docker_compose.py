"""docker-compose.yml: the broker keeps its queues on disk, and the cache has a database of its own."""

from pathlib import Path

import pytest
import yaml

from config.env import redis_database

COMPOSE = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())
APP_SERVICES = ["web", "worker", "beat"]


def test_the_brokers_redis_keeps_its_data_in_an_append_only_file_on_a_volume():
    redis = COMPOSE["services"]["redis"]

    assert "--appendonly yes" in redis["command"]
    volumes = [volume.split(":") for volume in redis["volumes"]]
    assert ["redisdata", "/data"] in volumes
    assert "redisdata" in COMPOSE["volumes"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_the_cache_is_a_redis_database_of_its_own(service):
    environment = COMPOSE["services"][service]["environment"]

    broker = redis_database(environment["REDIS_URL"])
    cache = redis_database(environment["CACHE_URL"])
    assert broker[:2] == cache[:2] == ("redis", 6379)
    assert cache != broker
