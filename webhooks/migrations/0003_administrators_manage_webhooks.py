"""Existing administrators' groups get what webhooks/roles.py gives new ones."""

from django.db import migrations

from grids.roles import ADMINISTRATOR, grant_to_existing_groups

GRANTS = {
    ADMINISTRATOR: [
        ("webhooks", "webhook", "view_webhook", "Can view webhook"),
        ("webhooks", "webhook", "add_webhook", "Can add webhook"),
        ("webhooks", "webhook", "change_webhook", "Can change webhook"),
        ("webhooks", "delivery", "view_delivery", "Can view delivery"),
        ("webhooks", "delivery", "replay_delivery", "Can replay a webhook delivery"),
        ("webhooks", "attempt", "view_attempt", "Can view attempt"),
    ]
}


def grant(apps, schema_editor):
    grant_to_existing_groups(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0002_delivery_sweep_job"),
        ("grids", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
