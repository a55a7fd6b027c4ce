"""The nightly job deleting the send log past MESSAGES_LOG_DAYS, on django-celery-beat's
database scheduler. Created when missing and otherwise left alone (see
monitoring/migrations/0004)."""

from django.db import migrations

from common.periodic_jobs import create_periodic_job

NAME = "消息记录清理 Forget old messages"
TASK = "messaging.forget_old"


def create_job(apps, schema_editor):
    create_periodic_job(apps, name=NAME, task=TASK, minute="55", hour="3")


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_periodic_jobs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_job, migrations.RunPython.noop)]
