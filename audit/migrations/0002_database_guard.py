"""The database itself refuses to change or delete audit rows, whoever asks: the ORM's
refusals (AuditEvent.save, the queryset) stop our code by mistake, these stop a raw
statement, another program, a ``manage.py dbshell``.

One door stays open, for ``audit.archive`` only: deleting rows older than the retention.
It must name the instant before which it deletes, in its own transaction (PostgreSQL:
``set_config('hhl.audit_archive_before', …, true)``; SQLite: a row in
``audit_archive_permit``, removed before commit), and even then no row younger than 180
days (the Cybersecurity Law's six months) goes, whatever it names. Ordinary code never sets
either, so it cannot hit the door by accident. Someone with the database owner's rights
can still drop the triggers: that is what the hash chain is for (``verify_audit``).
"""

from django.db import migrations

TABLE = "audit_auditevent"

POSTGRESQL = [
    """
    CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        before text := current_setting('hhl.audit_archive_before', true);
    BEGIN
        IF TG_OP = 'DELETE' AND coalesce(before, '') <> ''
           AND OLD.at < before::timestamptz AND OLD.at < now() - interval '180 days' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit rows are never changed or deleted (%)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    f"""CREATE TRIGGER audit_guard_rows BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    f"""CREATE TRIGGER audit_guard_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER audit_guard_truncate ON {TABLE}",
    f"DROP TRIGGER audit_guard_rows ON {TABLE}",
    "DROP FUNCTION audit_refuse_change()",
]

# SQLite has no TRUNCATE (its DELETE without WHERE fires the row triggers) and no session
# variables: the archive's permit is a row of a table of its own, outside Django's models
# (so that no flush, fixture or admin touches it).
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_guard_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit rows are never changed (UPDATE)'); END""",
    f"""CREATE TRIGGER audit_guard_delete BEFORE DELETE ON {TABLE}
        WHEN NOT EXISTS (
            SELECT 1 FROM audit_archive_permit p
            WHERE OLD.at < p.before AND OLD.at < strftime('%Y-%m-%d %H:%M:%f', 'now', '-180 days')
        )
        BEGIN SELECT RAISE(ABORT, 'audit rows are never deleted (DELETE)'); END""",
]
SQLITE = ["CREATE TABLE audit_archive_permit (before TEXT NOT NULL)", *SQLITE_TRIGGERS]
SQLITE_REVERSE = [
    "DROP TRIGGER audit_guard_delete",
    "DROP TRIGGER audit_guard_update",
    "DROP TABLE audit_archive_permit",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_log")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
