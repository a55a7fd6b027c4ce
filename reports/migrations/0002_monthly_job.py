"""The monthly reports, written at 02:00 on the first of each month (after the daily tier
snapshot of 00:30 has counted the month's last day), on django-celery-beat's database
scheduler. Created when missing and otherwise left alone (see monitoring/migrations/0004).
"""

from django.db import migrations

NAME = "月度报告 Monthly reports"
TASK = "reports.generate_monthly_reports"
TZ = "Asia/Shanghai"


def create_job(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(task=TASK).exists():
        return
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_week="*", day_of_month="1", month_of_year="*", timezone=TZ
    )
    PeriodicTask.objects.create(name=NAME, task=TASK, crontab=schedule)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_monthly_reports"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_job, migrations.RunPython.noop)]
