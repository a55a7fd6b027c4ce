"""The nightly job deleting the send log past MESSAGES_LOG_DAYS, on django-celery-beat's
database scheduler. Created when missing and otherwise left alone (see
monitoring/migrations/0004)."""

from django.db import migrations

TZ = "Asia/Shanghai"
NAME = "消息记录清理 Forget old messages"
TASK = "messaging.forget_old"


def create_job(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(task=TASK).exists():
        return
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="55", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone=TZ
    )
    PeriodicTask.objects.create(name=NAME, task=TASK, crontab=schedule)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_periodic_jobs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_job, migrations.RunPython.noop)]
