"""The hourly case-deadline check, on django-celery-beat's database scheduler.

Created when missing and otherwise left alone (see monitoring/migrations/0004).
"""

from django.db import migrations

from common.periodic_jobs import create_periodic_job

NAME = "事项超期提醒 Check case deadlines"
TASK = "services.check_case_deadlines"


def create_job(apps, schema_editor):
    create_periodic_job(apps, name=NAME, task=TASK, minute="20")


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0001_cases"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_job, migrations.RunPython.noop)]
