"""Doing to the audit table what an attacker with the database owner's rights could: lift
the guard (disable or drop its triggers), run statements, put it back. Also how the test
suite's flush empties the table between transactional tests."""

import importlib
from contextlib import contextmanager

from django.db import connection, transaction

guard = importlib.import_module("audit.migrations.0002_database_guard")


@contextmanager
def guard_lifted():
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {guard.TABLE} DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_guard_delete")
            cursor.execute("DROP TRIGGER audit_guard_update")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {guard.TABLE} ENABLE TRIGGER USER")
        else:
            for sql in guard.SQLITE_TRIGGERS:
                cursor.execute(sql)


def tamper(sql: str, params=()):
    with guard_lifted() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
