"""The engine's periodic jobs, on django-celery-beat's database scheduler.

Created when missing and otherwise left alone, so that an administrator's changes to a
schedule (in the admin, under Periodic tasks) survive later deployments.
"""

from django.db import migrations

from common.periodic_jobs import create_periodic_job

JOBS = [
    # name, task, minute, hour
    ("生成走访任务 Generate follow-ups", "monitoring.generate_follow_ups", "5", "0"),
    ("标记逾期并通知 Mark missed follow-ups and notify", "monitoring.mark_missed", "15", "*"),
    ("风险等级每日统计 Daily tier snapshot", "monitoring.snapshot_tiers", "30", "0"),
]


def create_jobs(apps, schema_editor):
    for name, task, minute, hour in JOBS:
        create_periodic_job(apps, name=name, task=task, minute=minute, hour=hour)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0003_follow_ups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_jobs, migrations.RunPython.noop)]
