import uuid

from django.conf import settings
from django.db import migrations, models


def fill_keys(apps, schema_editor):
    """Give every earlier row a key of its own: a default computed once would give them all
    the same one, which the unique constraint refuses."""
    model = apps.get_model("services", "ServiceCase")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"UPDATE {model._meta.db_table} SET key = gen_random_uuid() WHERE key IS NULL")
        return
    rows = model.objects.filter(key__isnull=True).only("pk")
    while batch := list(rows[:1000]):
        for row in batch:
            row.key = uuid.uuid4()
        model.objects.bulk_update(batch, ["key"])


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0007_grant_cases_to_role_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="servicecase",
            name="key",
            field=models.UUIDField(editable=False, null=True, verbose_name="idempotency key"),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="servicecase",
            name="key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, verbose_name="idempotency key"),
        ),
        migrations.AddConstraint(
            model_name="servicecase",
            constraint=models.UniqueConstraint(
                fields=("opened_by", "key"), name="one_case_per_author_and_key"
            ),
        ),
    ]
