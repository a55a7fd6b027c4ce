"""Each read replica in REPLICA_DATABASES is checked for its lag behind the primary."""

import pytest
from django.db import connection

from config.health import check_replica

pytestmark = pytest.mark.django_db


def test_no_replica_is_checked_by_default(client, settings):
    settings.CACHE_URL = ""

    checks = client.get("/health/").json()["checks"]

    assert not [name for name in checks if name.startswith("replica:")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the lag is PostgreSQL's")
def test_an_alias_that_is_not_streaming_from_a_primary_fails_its_check(client, settings):
    # The test database is a primary: no WAL receiver streams into it, it is nobody's replica.
    settings.REPLICA_DATABASES = ["default"]
    settings.CACHE_URL = ""

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["replica:default"] == {
        "status": "failing",
        "reason": "not streaming from a primary",
    }


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite has no replication to measure")
def test_a_replica_on_another_database_is_only_reached():
    assert check_replica("default").reason == "ok (lag not measured on this database)"
