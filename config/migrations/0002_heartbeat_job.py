"""The heartbeat job on django-celery-beat's database scheduler, every minute: the health
check's "beat" reads when it last ran. Created when missing and otherwise left alone (see
monitoring/migrations/0004)."""

from django.db import migrations

from common.periodic_jobs import create_periodic_job

NAME = "心跳 Heartbeat"
TASK = "config.heartbeat"


def create_job(apps, schema_editor):
    # Expires before the next one is due: a backlog of heartbeats queued while the workers
    # were down would only say, once run, that they are alive.
    create_periodic_job(apps, name=NAME, task=TASK, every=60, period="seconds", expire_seconds=55)


class Migration(migrations.Migration):
    dependencies = [
        ("config", "0001_heartbeat"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_job, migrations.RunPython.noop)]
