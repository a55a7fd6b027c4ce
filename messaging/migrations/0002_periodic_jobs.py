"""The sweep that sends what is due (after quiet hours, retries, a lost task), every
minute, and the morning digest at 07:00 (Asia/Shanghai), on django-celery-beat's database
scheduler. Created when missing and otherwise left alone (see monitoring/migrations/0004).
"""

from django.db import migrations

TZ = "Asia/Shanghai"


def create_jobs(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if not PeriodicTask.objects.filter(task="messaging.send_due").exists():
        every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
        PeriodicTask.objects.create(name="消息发送 Send due messages", task="messaging.send_due", interval=every_minute)
    if not PeriodicTask.objects.filter(task="messaging.send_digests").exists():
        morning, _ = CrontabSchedule.objects.get_or_create(
            minute="0", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone=TZ
        )
        PeriodicTask.objects.create(name="每日提要 Morning digest", task="messaging.send_digests", crontab=morning)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_messages_and_their_log"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_jobs, migrations.RunPython.noop)]
