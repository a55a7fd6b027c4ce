"""The engine's periodic jobs, on django-celery-beat's database scheduler.

Created when missing and otherwise left alone, so that an administrator's changes to a
schedule (in the admin, under Periodic tasks) survive later deployments.
"""

from django.db import migrations

TZ = "Asia/Shanghai"
JOBS = [
    # name, task, minute, hour
    ("生成走访任务 Generate follow-ups", "monitoring.generate_follow_ups", "5", "0"),
    ("标记逾期并通知 Mark missed follow-ups and notify", "monitoring.mark_missed", "15", "*"),
    ("风险等级每日统计 Daily tier snapshot", "monitoring.snapshot_tiers", "30", "0"),
]


def create_jobs(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in JOBS:
        if PeriodicTask.objects.filter(task=task).exists():
            continue
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone=TZ
        )
        PeriodicTask.objects.create(name=name, task=task, crontab=schedule)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0003_follow_ups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_jobs, migrations.RunPython.noop)]
