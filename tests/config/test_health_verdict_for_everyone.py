"""/health/ready/ and /health/ answer 200 or 503 truthfully to everyone: a load balancer
or a probe outside HEALTH_ALLOWED_NETWORKS must notice a web process that cannot serve.
Only insiders learn which check failed and why."""

import pytest

from tests.config.operations import OUTSIDER, closed_port

pytestmark = pytest.mark.django_db


def test_an_outsider_sees_that_the_web_is_not_ready_but_not_why(client, settings):
    port = closed_port()
    settings.CACHE_URL = f"redis://127.0.0.1:{port}/12"

    response = client.get("/health/ready/", REMOTE_ADDR=OUTSIDER)

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert "no-cache" in response["Cache-Control"]


def test_an_outsider_sees_that_the_full_check_fails_but_not_which(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/11"
    settings.CACHE_URL = ""

    response = client.get("/health/", REMOTE_ADDR=OUTSIDER)

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_an_outsider_sees_a_ready_web_as_ready(client, settings):
    settings.CACHE_URL = ""

    response = client.get("/health/ready/", REMOTE_ADDR=OUTSIDER)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_liveness_answer_checks_nothing(client, settings):
    settings.CACHE_URL = f"redis://127.0.0.1:{closed_port()}/12"

    response = client.get("/health/live/", REMOTE_ADDR=OUTSIDER)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
