"""Drop the old ``case_id`` (copied by 0017) with its constraint notify_once_per_case, and
keep the same promise for anything a notification is about: a job run twice tells nobody
twice. Kinds come from every app's notices.py (monitoring.notices), not from a list here."""

from django.db import migrations, models

import monitoring.notices
from monitoring.legacy_schema import columns, drop_column


def drop_case(apps, schema_editor):
    Notification = apps.get_model("monitoring", "Notification")
    if "case_id" in columns(schema_editor, Notification._meta.db_table):
        drop_column(schema_editor, Notification, "case_id", indexes=("notify_once_per_case",))


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0017_notification_about")]

    operations = [
        # Back to 0017 the old column is not made again: 0017's fields hold what it held.
        migrations.RunPython(drop_case, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(choices=monitoring.notices.kind_choices, max_length=24, verbose_name="kind"),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(("object_id__isnull", False)),
                fields=("recipient", "content_type", "object_id", "kind"),
                name="notify_once_per_object",
            ),
        ),
    ]
