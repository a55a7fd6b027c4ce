"""docker-compose.yml: the broker keeps its queues on disk, and the cache has a database of its own."""

from pathlib import Path

import pytest
import yaml

from config.env import redis_database

COMPOSE = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())
APP_SERVICES = ["web", "worker", "beat", "backup", "restore"]


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


DOCKERFILE = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text()


def test_a_backup_service_backs_up_every_day_into_a_volume_of_its_own():
    backup = COMPOSE["services"]["backup"]

    assert "manage.py backup" in backup["command"] and "sleep 86400" in backup["command"]
    assert backup["environment"]["BACKUP_KEY"] == "${BACKUP_KEY}"
    volumes = dict(volume.split(":", 1) for volume in backup["volumes"])
    assert volumes["backups"] == backup["environment"]["BACKUP_DIR"] == "/app/var/backups"
    assert volumes["media"] == "/app/media:ro"  # it reads the photos, never writes them
    assert "backups" in COMPOSE["volumes"]
    assert backup["environment"]["DATABASE_URL"] == COMPOSE["services"]["web"]["environment"]["DATABASE_URL"]


def test_only_the_backup_and_restore_services_hold_the_backup_key():
    holders = {
        name
        for name, service in COMPOSE["services"].items()
        if "BACKUP_KEY" in service.get("environment", {})
    }

    assert holders == {"backup", "restore"}


def test_restore_runs_only_when_asked_and_writes_the_photos_back():
    restore = COMPOSE["services"]["restore"]

    assert restore["profiles"] == ["restore"]
    assert restore["entrypoint"] == ["python", "manage.py", "restore"]
    assert "media:/app/media" in restore["volumes"]


def test_the_image_has_pg_dump_of_the_databases_major_version():
    major = COMPOSE["services"]["db"]["image"].split(":")[1].split(".")[0]

    assert f"postgresql-client-{major}" in DOCKERFILE
    assert "/app/var/backups" in DOCKERFILE
