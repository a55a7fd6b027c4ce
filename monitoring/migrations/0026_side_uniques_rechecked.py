"""The side tables' trigger functions written again (common.partitions): a skipped
duplicate is recognised under ``ON CONFLICT (...) DO NOTHING`` too, not only the bare
form, and on notifications (two side tables) the second trigger no longer records a row
the first has just taken out again as a skipped duplicate. The uniques are those of
0023–0025, unchanged."""

from django.db import migrations

from common import partitions

TABLES = {
    "monitoring_followup": (
        "period_start",
        (partitions.SideUnique("one_open_follow_up", ("household_id",), "r.status = 'open'"),),
    ),
    "monitoring_visit": (
        "visited_at",
        (partitions.SideUnique("one_visit_per_author_and_key", ("visited_by_id", "key")),),
    ),
    "monitoring_notification": (
        "created_at",
        (
            partitions.SideUnique(
                "notify_once", ("recipient_id", "follow_up_id", "kind"), "r.follow_up_id IS NOT NULL"
            ),
            partitions.SideUnique(
                "notify_once_per_object",
                ("recipient_id", "content_type_id", "object_id", "kind"),
                "r.object_id IS NOT NULL",
            ),
        ),
    ),
}


def rewrite(apps, schema_editor):
    for table, (key, side) in TABLES.items():
        partitions.refresh_side_functions(schema_editor, table=table, key=key, side=side)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0025_notifications_by_month")]

    # Backwards there is nothing to undo: the functions written are a superset of 0023–0025's.
    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
