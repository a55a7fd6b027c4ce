"""docker-compose.yml: the web service's healthcheck asks /health/ready/, and the web and
every worker write their metrics to one shared folder."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_web_services_healthcheck_asks_the_readiness_check_from_inside():
    check = COMPOSE["services"]["web"]["healthcheck"]

    command = " ".join(check["test"])
    assert "http://127.0.0.1:8000/health/ready/" in command
    # urlopen raises on a 503: the command fails, and after the retries the container is unhealthy.
    assert "urlopen" in command
    assert check["start_period"] and check["retries"] >= 2


def test_the_web_and_every_worker_share_the_metrics_folder():
    workers = [
        name for name, service in COMPOSE["services"].items() if " worker " in str(service.get("command"))
    ]
    assert workers
    for name in ["web", *workers]:
        service = COMPOSE["services"][name]
        folder = service["environment"]["PROMETHEUS_MULTIPROC_DIR"]

        assert f"metrics:{folder}" in service["volumes"], name
    assert "metrics" in COMPOSE["volumes"]
    assert "/app/var/metrics" in (ROOT / "Dockerfile").read_text()


SECRETS = ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_BLIND_INDEX_KEYS", "BACKUP_KEY"]


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="needs docker-compose")
def test_the_compose_file_is_valid():
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", **dict.fromkeys(SECRETS, "not-a-secret")},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
