"""The daily archive of audit rows older than the retention (audit.archive), on
django-celery-beat's database scheduler: created when missing and otherwise left alone
(see monitoring/migrations/0004)."""

from django.db import migrations

from common.periodic_jobs import create_periodic_job

NAME = "审计日志归档 Archive old audit rows"
TASK = "audit.archive"


def create_job(apps, schema_editor):
    # At night, when few users write to the chain the archive's deletion waits behind.
    create_periodic_job(apps, name=NAME, task=TASK, minute="40", hour="3")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_database_guard"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_job, migrations.RunPython.noop)]
