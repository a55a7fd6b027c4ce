"""The monthly reports, written at 02:00 on the first of each month (after the daily tier
snapshot of 00:30 has counted the month's last day), on django-celery-beat's database
scheduler. Created when missing and otherwise left alone (see monitoring/migrations/0004).
"""

from django.db import migrations

from common.periodic_jobs import create_periodic_job

NAME = "月度报告 Monthly reports"
TASK = "reports.generate_monthly_reports"


def create_job(apps, schema_editor):
    create_periodic_job(apps, name=NAME, task=TASK, minute="0", hour="2", day_of_month="1")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_monthly_reports"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_job, migrations.RunPython.noop)]
