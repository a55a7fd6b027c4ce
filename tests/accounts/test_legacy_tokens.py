"""A deployment's rest_framework.authtoken tokens keep working for 30 days, stored hashed,
and the table that held them in clear is gone."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.grids.factories import grid_worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

KEY = "0123456789abcdef0123456789abcdef01234567"


def test_an_old_token_is_migrated_hashed_and_its_clear_table_dropped():
    user = grid_worker(username="li")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, created timestamp)"
        )
        cursor.execute("INSERT INTO authtoken_token (key, user_id) VALUES (%s, %s)", [KEY, user.pk])

    migration = importlib.import_module("accounts.migrations.0002_legacy_tokens")
    with connection.schema_editor() as editor:
        migration.migrate_legacy_tokens(apps, editor)

    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get()
    assert token.purpose == "迁移的旧令牌" and KEY not in token.digest
    assert (token.expires_at - token.created_at).days == 30
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {KEY}")
    assert client.get("/api/v1/households/").status_code == 200
