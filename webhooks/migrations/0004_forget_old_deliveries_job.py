"""The nightly job deleting the delivery log past WEBHOOK_LOG_DAYS, on django-celery-beat's
database scheduler. Created when missing and otherwise left alone (see
monitoring/migrations/0004)."""

from django.db import migrations

TZ = "Asia/Shanghai"
NAME = "Webhook 推送记录清理 Forget old webhook deliveries"
TASK = "webhooks.forget_old"


def create_job(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(task=TASK).exists():
        return
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="50", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone=TZ
    )
    PeriodicTask.objects.create(name=NAME, task=TASK, crontab=schedule)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0003_administrators_manage_webhooks"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_job, migrations.RunPython.noop)]
