"""The audit log, partitioned by month of ``at`` on PostgreSQL (common.partitions); SQLite
keeps its plain table. Nothing points into it, and its guard (0002) comes along: the
row triggers are cloned onto every month, the TRUNCATE one stays on the table.

``hash`` was unique on its own; a unique index on a partitioned table must hold the key,
and it becomes ``(hash, at)``. That is as strong: the hash covers ``at`` (``canonical``),
so two rows of one hash are rows of one instant and land on the same index. A row copied
with another ``at`` and the same hash is a forgery, which ``verify_audit`` finds, as it
found one before (the index never stopped the database's owner).
"""

from django.db import migrations

from common import partitions


def by_month(apps, schema_editor):
    partitions.convert(
        schema_editor, table="audit_auditevent", key="at", with_key=("audit_auditevent_hash_key",)
    )


def back(apps, schema_editor):
    partitions.revert(
        schema_editor, table="audit_auditevent", key="at", with_key=("audit_auditevent_hash_key",)
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_archive_job")]

    operations = [migrations.RunPython(by_month, back)]
