"""docker-compose.yml: the broker keeps its queues on disk, the cache has a database of its own,
and each Celery queue has workers of its own."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from config.env import redis_database

COMPOSE = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())
WORKERS = ["worker-engine", "worker-messages", "worker-bulk"]
APP_SERVICES = ["web", *WORKERS, "beat", "backup", "restore"]
MAKEFILE = (Path(__file__).resolve().parents[2] / "Makefile").read_text()


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


def consumed(command: str) -> list[str]:
    words = command.split()
    return words[words.index("--queues") + 1].split(",")


def test_each_queue_has_a_worker_service_of_its_own_and_every_queue_is_consumed():
    queues = {name: consumed(COMPOSE["services"][name]["command"]) for name in WORKERS}

    assert queues == {
        "worker-engine": ["engine"],
        "worker-messages": ["messages"],
        # The default queue with the bulk work: a task nobody routed may be slow too.
        "worker-bulk": ["bulk", "celery"],
    }
    assert sorted(sum(queues.values(), [])) == sorted(q.name for q in settings.CELERY_TASK_QUEUES)
    assert "worker" not in COMPOSE["services"]


def test_only_beat_sends_the_periodic_jobs():
    commands = {name: service.get("command", "") for name, service in COMPOSE["services"].items()}

    assert [name for name, command in commands.items() if "beat" in str(command).split()] == ["beat"]
    assert not any("--beat" in str(command) for command in commands.values())


def test_the_demos_one_worker_consumes_every_queue():
    demo = next(line for line in MAKEFILE.splitlines() if "celery -A config worker" in line)

    assert "--beat" in demo
    assert sorted(consumed(demo)) == sorted(q.name for q in settings.CELERY_TASK_QUEUES)
