"""The daily upkeep of the month-partitioned tables (partitions.maintain, config.tasks),
on django-celery-beat's database scheduler: created when missing and otherwise left alone
(see monitoring/migrations/0004). Here, in the app that stands above all, because it
serves the tables of every app; the row names the task by name only."""

from django.db import migrations

from common.periodic_jobs import create_periodic_job

NAME = "分区维护 Create months ahead, detach old ones (partitioned tables)"
TASK = "partitions.maintain"


def create_job(apps, schema_editor):
    # Daily, though a month is made months before it is needed: a missed night or a
    # week's outage changes nothing, and rows waiting in DEFAULT move out the next night.
    create_periodic_job(apps, name=NAME, task=TASK, minute="20", hour="3")


class Migration(migrations.Migration):
    dependencies = [
        ("config", "0002_heartbeat_job"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_job, migrations.RunPython.noop)]
