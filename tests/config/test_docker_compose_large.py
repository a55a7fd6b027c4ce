"""docker-compose.large.yml, the large setup over docker-compose.yml: a streaming replica
every web and worker process reads from, and the cache on a Redis of its own."""

from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
BASE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
LARGE = yaml.safe_load((ROOT / "docker-compose.large.yml").read_text())


def _runs_the_app(service: dict) -> bool:
    command = str(service.get("command", ""))
    return "gunicorn" in command or command.startswith("celery")


def test_every_web_and_worker_process_reads_from_the_replica_and_caches_apart_from_the_broker():
    app = [name for name, service in BASE["services"].items() if _runs_the_app(service)]

    assert set(app) == {"web", "worker-engine", "worker-messages", "worker-bulk", "beat"}
    for name in app:
        environment = LARGE["services"][name]["environment"]
        assert urlsplit(environment["DATABASE_REPLICA_URLS"]).hostname == "db-replica", name
        assert urlsplit(environment["CACHE_URL"]).hostname == "cache", name
        assert "db-replica" in LARGE["services"][name]["depends_on"], name


def test_the_replica_is_a_base_backup_of_the_primary_that_follows_it():
    replica = LARGE["services"]["db-replica"]
    script = replica["entrypoint"][-1]

    assert replica["image"] == BASE["services"]["db"]["image"]  # the same major version
    assert "pg_basebackup --host db" in script and "--write-recovery-conf" in script
    assert "--wal-method stream" in script
    assert replica["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pgreplica" in LARGE["volumes"]


def test_the_primary_admits_replication_from_the_network():
    script = LARGE["services"]["db"]["entrypoint"][-1]

    assert "host replication all all scram-sha-256" in script
    assert script.rstrip().endswith("exec docker-entrypoint.sh postgres")


def test_the_cache_keeps_nothing_on_disk_and_has_a_ceiling():
    command = LARGE["services"]["cache"]["command"]

    assert '--save ""' in command and "--appendonly no" in command
    assert "--maxmemory " in command and "allkeys-lru" in command
