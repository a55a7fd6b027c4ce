"""The wall-count job's messages expire before the next one is due: a backlog on the engine
queue (its workers down, or busy with the nightly generation) would otherwise run every
count it missed, one after another, each replacing the one before. Only a job with no
expiry of its own is given one: an administrator's setting (the admin, under Periodic
tasks) is left alone."""

from django.db import migrations
from django.utils import timezone

TASK = "monitoring.count_walls"
# Every five minutes (0022): four and a half, so a late count still runs within its own slot.
EXPIRE_SECONDS = 270


def set_expiry(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    changed = PeriodicTask.objects.filter(task=TASK, expire_seconds__isnull=True).update(
        expire_seconds=EXPIRE_SECONDS
    )
    if changed:
        # What the model's save signal would do (a historical model sends none): a running
        # beat rereads its schedule when this changes.
        PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("monitoring", "0026_side_uniques_rechecked"),
    ]

    operations = [migrations.RunPython(set_expiry, migrations.RunPython.noop)]
