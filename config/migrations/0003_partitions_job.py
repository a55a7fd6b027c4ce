"""The daily upkeep of the month-partitioned tables (partitions.maintain, config.tasks),
on django-celery-beat's database scheduler: created when missing and otherwise left alone
(see monitoring/migrations/0004). Here, in the app that stands above all, because it
serves the tables of every app; the row names the task by name only."""

from django.db import migrations

TZ = "Asia/Shanghai"
NAME = "分区维护 Create months ahead, detach old ones (partitioned tables)"
TASK = "partitions.maintain"


def create_job(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(task=TASK).exists():
        return
    # Daily, though a month is made months before it is needed: a missed night or a
    # week's outage changes nothing, and rows waiting in DEFAULT move out the next night.
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="20", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone=TZ
    )
    PeriodicTask.objects.create(name=NAME, task=TASK, crontab=schedule)


class Migration(migrations.Migration):
    dependencies = [
        ("config", "0002_heartbeat_job"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_job, migrations.RunPython.noop)]
