"""The income lines of the reports (东川 8,000 yuan, the warning line; 彝良 10,000) and the
nightly run of the rules. Created when missing and then left to the administrators."""

from decimal import Decimal

from django.db import migrations

from common.periodic_jobs import create_periodic_job

LINES = [("东川线 8,000", Decimal("8000"), True), ("彝良线 10,000", Decimal("10000"), False)]
NAME = "就业与收入预警 Employment and income warnings"
TASK = "employment.evaluate_warnings"


def ship(apps, schema_editor):
    IncomeLine = apps.get_model("employment", "IncomeLine")
    if not IncomeLine.objects.exists():
        for name, yuan, warns in LINES:
            IncomeLine.objects.create(name=name, yuan=yuan, warns=warns)
    create_periodic_job(apps, name=NAME, task=TASK, minute="45", hour="1")


class Migration(migrations.Migration):
    dependencies = [
        ("employment", "0001_employment"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
