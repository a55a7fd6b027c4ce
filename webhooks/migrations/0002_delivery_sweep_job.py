"""The sweep that sends what is due (retries, and events whose queued task was lost),
every minute on django-celery-beat's database scheduler.

Created when missing and otherwise left alone (see monitoring/migrations/0004).
"""

from django.db import migrations

from common.periodic_jobs import create_periodic_job

NAME = "Webhook 推送 Deliver webhook events"
TASK = "webhooks.deliver_due"


def create_job(apps, schema_editor):
    create_periodic_job(apps, name=NAME, task=TASK, every=1, period="minutes")


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_webhooks_outbox_and_delivery_log"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_job, migrations.RunPython.noop)]
