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


def _last_command(script: str) -> str:
    return script.rstrip().splitlines()[-1]


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
    assert _last_command(script).startswith("exec docker-entrypoint.sh postgres")


def test_the_replica_streams_through_a_slot_and_long_reads_on_it_are_not_cancelled_by_replay():
    replica = LARGE["services"]["db-replica"]["entrypoint"][-1]
    primary = LARGE["services"]["db"]["entrypoint"][-1]

    # The primary keeps the WAL the standby has not received, however long it was down,
    # up to a ceiling, past which a standby gone for good no longer fills its disk.
    assert "--create-slot --slot replica_1" in replica
    assert "pg_drop_replication_slot" in replica and "NOT active" in replica  # an old volume's slot
    assert "-c max_slot_wal_keep_size=" in _last_command(primary)
    # A vacuum on the primary keeps the rows a long read here still sees; replay waits
    # for the locks it holds (a partition detached) before cancelling it.
    started = _last_command(replica)
    assert started.startswith("exec postgres")
    assert "-c hot_standby_feedback=on" in started
    assert "-c max_standby_streaming_delay=" in started


def test_the_cache_keeps_nothing_on_disk_and_has_a_ceiling():
    command = LARGE["services"]["cache"]["command"]

    assert '--save ""' in command and "--appendonly no" in command
    assert "--maxmemory " in command and "allkeys-lru" in command
