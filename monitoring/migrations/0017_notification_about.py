"""A notification refers to what it is about by content type and id (as the admin's
LogEntry does), not by a foreign key to services' cases: monitoring stands below services.

A database migrated before the layers has ``case_id`` (monitoring's 0009 added it then):
its values become content type services.servicecase and the same id. 0018 drops it.
"""

import django.db.models.deletion
from django.db import migrations, models

from monitoring.legacy_schema import columns


def move_cases(apps, schema_editor):
    Notification = apps.get_model("monitoring", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    table = Notification._meta.db_table
    if "case_id" not in columns(schema_editor, table):
        return
    # Named by string, as any generic reference is: this is the one place monitoring knows
    # what its old column pointed at.
    case_type, _ = ContentType.objects.get_or_create(app_label="services", model="servicecase")
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"UPDATE {quote(table)} SET content_type_id = %s, object_id = case_id WHERE case_id IS NOT NULL",
        [case_type.pk],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("monitoring", "0016_unit_tier_scheme_from_grid"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="content_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="content type",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="object_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="object id"),
        ),
        migrations.RunPython(move_cases, migrations.RunPython.noop),
    ]
