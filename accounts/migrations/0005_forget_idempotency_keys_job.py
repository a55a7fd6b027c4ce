"""The hourly job deleting idempotency keys past IDEMPOTENCY_KEY_HOURS, on
django-celery-beat's database scheduler. Created when missing and otherwise left alone
(see monitoring/migrations/0004)."""

from django.db import migrations

from common.periodic_jobs import create_periodic_job

NAME = "幂等键清理 Forget expired idempotency keys"
TASK = "accounts.forget_idempotency_keys"


def create_job(apps, schema_editor):
    create_periodic_job(apps, name=NAME, task=TASK, minute="35")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_idempotency_keys"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_job, migrations.RunPython.noop)]
