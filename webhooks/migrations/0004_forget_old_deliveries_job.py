"""The nightly job deleting the delivery log past WEBHOOK_LOG_DAYS, on django-celery-beat's
database scheduler. Created when missing and otherwise left alone (see
monitoring/migrations/0004)."""

from django.db import migrations

from common.periodic_jobs import create_periodic_job

NAME = "Webhook 推送记录清理 Forget old webhook deliveries"
TASK = "webhooks.forget_old"


def create_job(apps, schema_editor):
    create_periodic_job(apps, name=NAME, task=TASK, minute="50", hour="3")


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0003_administrators_manage_webhooks"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_job, migrations.RunPython.noop)]
