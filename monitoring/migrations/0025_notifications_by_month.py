"""Notifications, partitioned by month of ``created_at`` on PostgreSQL (common.partitions);
SQLite keeps its plain table. Nothing points into them.

Neither of their unique constraints can hold ``created_at`` (a job run twice tells nobody
twice, whenever it runs): each moves to a table of its own with a unique index of the same
name, kept by a trigger in the same transaction, for the rows it is about (``notify_once``:
those about a follow-up, the others never collided, NULL being distinct;
``notify_once_per_object``: those about an object, as its condition said). A duplicate
raises the same IntegrityError; in ``bulk_create(ignore_conflicts=True)`` it is skipped.
"""

from django.db import migrations

from common import partitions

SIDE = (
    partitions.SideUnique(
        "notify_once", ("recipient_id", "follow_up_id", "kind"), "r.follow_up_id IS NOT NULL"
    ),
    partitions.SideUnique(
        "notify_once_per_object",
        ("recipient_id", "content_type_id", "object_id", "kind"),
        "r.object_id IS NOT NULL",
    ),
)


def by_month(apps, schema_editor):
    partitions.convert(schema_editor, table="monitoring_notification", key="created_at", side=SIDE)


def back(apps, schema_editor):
    partitions.revert(schema_editor, table="monitoring_notification", key="created_at", side=SIDE)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0024_visits_by_month")]

    operations = [migrations.RunPython(by_month, back)]
