"""Who reads the health checks' detail: the machine itself and the networks named in
HEALTH_ALLOWED_NETWORKS, or whoever holds HEALTH_TOKEN. Anyone else learns only the
verdict (tests/config/test_health_verdict_for_everyone.py), never which check or why;
/metrics refuses them."""

import pytest

from tests.config.operations import OUTSIDER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_redis(settings):
    settings.CACHE_URL = ""


def test_an_outsider_gets_the_verdict_and_no_checks(client):
    for path in ["/health/", "/health/ready/", "/health/live/"]:
        response = client.get(path, REMOTE_ADDR=OUTSIDER)
        verdict = "ok" if response.status_code == 200 else "unavailable"

        assert response.json() == {"status": verdict}, path
    assert client.get("/health/ready/", REMOTE_ADDR=OUTSIDER).status_code == 200


def test_an_outsider_is_refused_the_metrics(client):
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDER)

    assert response.status_code == 403
    assert b"hhl_" not in response.content


def test_the_machine_itself_gets_the_detail(client):
    response = client.get("/health/ready/", REMOTE_ADDR="127.0.0.1")

    assert set(response.json()["checks"]) == {"database", "cache"}


def test_an_allowed_network_gets_the_detail(client, settings):
    settings.HEALTH_ALLOWED_NETWORKS = ["10.20.0.0/16"]

    inside = client.get("/health/ready/", REMOTE_ADDR="10.20.3.4")
    outside = client.get("/health/ready/", REMOTE_ADDR="10.21.3.4")

    assert "checks" in inside.json()
    assert outside.json() == {"status": "ok"}


def test_the_token_opens_the_detail_and_the_metrics_from_anywhere(client, settings):
    settings.HEALTH_TOKEN = "a-long-random-token-for-the-monitoring"

    bearer = f"Bearer {settings.HEALTH_TOKEN}"
    health = client.get("/health/ready/", REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION=bearer)
    metrics = client.get("/metrics", REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION=bearer)
    wrong = client.get("/health/ready/", REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION="Bearer guessed")

    assert "checks" in health.json()
    assert metrics.status_code == 200
    assert wrong.json() == {"status": "ok"}


def test_no_token_is_set_so_an_empty_bearer_opens_nothing(client):
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION="Bearer ")

    assert response.status_code == 403


def test_behind_a_proxy_the_client_is_the_one_the_proxy_names(client, settings):
    # The proxy on the same machine: every request reaches the app from loopback.
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"

    through_proxy = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP=OUTSIDER)
    from_inside = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert through_proxy.status_code == 403
    assert from_inside.status_code == 200


def test_a_header_sent_straight_to_the_app_makes_nobody_an_insider(client, settings):
    """The proxy's header is believed from the proxy only (TRUSTED_PROXY_NETWORKS,
    loopback by default): anyone who reaches the app's port can write one."""
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"

    health = client.get("/health/ready/", REMOTE_ADDR=OUTSIDER, HTTP_X_REAL_IP="127.0.0.1")
    metrics = client.get("/metrics", REMOTE_ADDR=OUTSIDER, HTTP_X_REAL_IP="127.0.0.1")

    assert health.json() == {"status": "ok"}
    assert metrics.status_code == 403
    assert b"hhl_" not in metrics.content


def test_a_proxy_in_a_trusted_network_names_the_client(client, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_NETWORKS = ["10.9.0.0/24"]
    settings.HEALTH_ALLOWED_NETWORKS = ["10.20.0.0/16"]

    # The client's claim first, the address the proxy saw last.
    insider = client.get("/metrics", REMOTE_ADDR="10.9.0.5", HTTP_X_FORWARDED_FOR=f"{OUTSIDER}, 10.20.3.4")
    outsider = client.get("/metrics", REMOTE_ADDR="10.9.0.5", HTTP_X_FORWARDED_FOR=f"10.20.3.4, {OUTSIDER}")
    no_proxy = client.get("/metrics", REMOTE_ADDR="10.9.1.5", HTTP_X_FORWARDED_FOR="10.20.3.4")
    nobody = client.get("/metrics", REMOTE_ADDR="10.9.0.5", HTTP_X_FORWARDED_FOR="10.20.3.4, unknown")

    assert insider.status_code == 200
    assert outsider.status_code == 403
    assert no_proxy.status_code == 403
    assert nobody.status_code == 403
