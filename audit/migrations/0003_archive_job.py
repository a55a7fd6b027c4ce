"""The daily archive of audit rows older than the retention (audit.archive), on
django-celery-beat's database scheduler: created when missing and otherwise left alone
(see monitoring/migrations/0004)."""

from django.db import migrations

TZ = "Asia/Shanghai"
NAME = "审计日志归档 Archive old audit rows"
TASK = "audit.archive"


def create_job(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(task=TASK).exists():
        return
    # At night, when few users write to the chain the archive's deletion waits behind.
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="40", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone=TZ
    )
    PeriodicTask.objects.create(name=NAME, task=TASK, crontab=schedule)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_database_guard"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_job, migrations.RunPython.noop)]
