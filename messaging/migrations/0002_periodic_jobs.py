"""The sweep that sends what is due (after quiet hours, retries, a lost task), every
minute, and the morning digest at 07:00 (Asia/Shanghai), on django-celery-beat's database
scheduler. Created when missing and otherwise left alone (see monitoring/migrations/0004).
"""

from django.db import migrations

from common.periodic_jobs import create_periodic_job


def create_jobs(apps, schema_editor):
    create_periodic_job(
        apps, name="消息发送 Send due messages", task="messaging.send_due", every=1, period="minutes"
    )
    create_periodic_job(
        apps, name="每日提要 Morning digest", task="messaging.send_digests", minute="0", hour="7"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_messages_and_their_log"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_jobs, migrations.RunPython.noop)]
