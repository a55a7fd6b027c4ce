"""Follow-ups, partitioned by month of ``period_start`` on PostgreSQL (common.partitions);
SQLite keeps its plain table.

Why ``period_start`` and not ``due_on``: a follow-up *is* a household's period, and
``one_follow_up_per_period`` (household, period_start, period_end), the arbiter that makes
two generation runs write each follow-up once, already holds it, so it stays a unique
index of the partitioned table, checked where it always was. Keyed by ``due_on`` it
would need the key added (due_on is period_end today, but nothing says it must stay so).
The overdue and missed lists read ``due_on`` through their partial indexes, one small
index per month.

``one_open_follow_up`` (one open follow-up per household, whatever its period) cannot
hold the key: a household's open daily follow-up and the monthly one left open while its
tier changed are in different months. It moves to ``monitoring_followup_one_open_follow_up``,
a table of its own with a unique index of the same name, kept by a trigger in the same
transaction: a second open follow-up raises the same IntegrityError, a concurrent one
waits and then fails (or, in the engine's INSERT ... ON CONFLICT DO NOTHING, is skipped),
as before.

The one foreign key into follow-ups (Notification.follow_up) was already not checked by
the database.
"""

from django.db import migrations

from common import partitions

ONE_OPEN = partitions.SideUnique("one_open_follow_up", ("household_id",), "r.status = 'open'")


def by_month(apps, schema_editor):
    partitions.convert(schema_editor, table="monitoring_followup", key="period_start", side=(ONE_OPEN,))


def back(apps, schema_editor):
    partitions.revert(schema_editor, table="monitoring_followup", key="period_start", side=(ONE_OPEN,))


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0022_wall_counts")]

    operations = [migrations.RunPython(by_month, back)]
