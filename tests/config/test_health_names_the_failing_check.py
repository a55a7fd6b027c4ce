"""A check that fails turns the answer into a 503 naming it, with a short reason and
nothing of the address it could not reach."""

import pytest

from tests.config.operations import BROKER_URL, CACHE_URL, closed_port, needs_redis

pytestmark = pytest.mark.django_db


def test_an_unreachable_cache_makes_the_web_not_ready_and_says_which(client, settings):
    port = closed_port()
    settings.CACHE_URL = f"redis://127.0.0.1:{port}/12"

    response = client.get("/health/ready/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"] == {"status": "failing", "reason": "unreachable"}
    assert body["checks"]["database"]["status"] == "ok"
    assert str(port) not in response.content.decode()
    assert "no-cache" in response["Cache-Control"]


def test_an_unreachable_broker_fails_the_full_check_and_the_workers_are_not_asked(client, settings):
    port = closed_port()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/11"
    settings.CACHE_URL = ""

    response = client.get("/health/")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"] == {"status": "failing", "reason": "unreachable"}
    assert checks["workers"] == {"status": "failing", "reason": "not asked (broker unreachable)"}
    assert checks["database"]["status"] == "ok"
    assert str(port) not in response.content.decode()


@needs_redis
def test_the_web_is_ready_when_its_database_and_cache_answer(client, settings):
    settings.CACHE_URL = CACHE_URL
    settings.CELERY_BROKER_URL = BROKER_URL

    response = client.get("/health/ready/")

    assert response.status_code == 200
    assert response.json()["checks"] == {
        "database": {"status": "ok", "reason": "ok"},
        "cache": {"status": "ok", "reason": "ok"},
    }


def test_the_probe_is_answered_whatever_the_host_and_without_the_https_redirect(client, settings):
    # A kubelet or a container's healthcheck asks by address, over plain HTTP.
    settings.ALLOWED_HOSTS = ["hhl.example.gov.cn"]
    settings.SECURE_SSL_REDIRECT = True
    settings.CACHE_URL = ""

    response = client.get("/health/ready/", HTTP_HOST="10.0.0.5:8000")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
