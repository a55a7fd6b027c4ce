"""rest_framework.authtoken's tokens, from before ApiToken: kept working for 30 days.

Their keys were stored in clear; each becomes an ApiToken holding only its SHA-256
(purpose "迁移的旧令牌", the first 8 characters as its prefix), and the old table is dropped,
so that no key is left readable in the database. Clients keep their key until it expires,
then ask for a new token with a purpose of their own.
"""

import datetime
import hashlib

from django.db import migrations
from django.utils import timezone

LEGACY_TABLE = "authtoken_token"


def migrate_legacy_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id FROM {LEGACY_TABLE}")  # noqa: S608 (a constant)
        rows = cursor.fetchall()
    for key, user_id in rows:
        prefix = key[:8]
        if ApiToken.objects.filter(prefix=prefix).exists():
            prefix = key[-8:]
        ApiToken.objects.create(
            user_id=user_id,
            purpose="迁移的旧令牌",
            prefix=prefix,
            digest=hashlib.sha256(key.encode()).hexdigest(),
            created_at=now,
            expires_at=now + datetime.timedelta(days=30),
        )
    schema_editor.execute(f"DROP TABLE {LEGACY_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_passwords_and_tokens")]

    operations = [migrations.RunPython(migrate_legacy_tokens, migrations.RunPython.noop)]
