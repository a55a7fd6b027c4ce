"""Visits, partitioned by month of ``visited_at`` on PostgreSQL (common.partitions): the
engine and the pages read visits by time ("since", "in the period"), which then reads only
the months concerned. SQLite keeps its plain table.

Foreign keys into visits can no longer be checked by the database (a partitioned table is
referenced by its whole primary key, here ``(id, visited_at)``): a proposal's visit loses
its check here, a case's in services/migrations/0012 (which runs before this one), a
follow-up's never had one. Visits are never deleted, and Django's PROTECT still refuses it.

``one_visit_per_author_and_key`` (visited_by, key) cannot hold ``visited_at``: the same
visit resent from a phone may carry another time. It moves to
``monitoring_visit_one_visit_per_author_and_key``, a table with a unique index of the same
name, kept by a trigger in the same transaction: a resend that races the first save waits
on that index and then fails with the same IntegrityError, which ``record_visit`` answers
with the visit the first one saved.
"""

import django.db.models.deletion
from django.db import migrations, models

from common import partitions

ONE_PER_KEY = partitions.SideUnique("one_visit_per_author_and_key", ("visited_by_id", "key"))


def by_month(apps, schema_editor):
    partitions.convert(schema_editor, table="monitoring_visit", key="visited_at", side=(ONE_PER_KEY,))


def back(apps, schema_editor):
    partitions.revert(schema_editor, table="monitoring_visit", key="visited_at", side=(ONE_PER_KEY,))


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0023_follow_ups_by_month")]

    operations = [
        migrations.AlterField(
            model_name="tierproposal",
            name="visit",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tier_proposals",
                to="monitoring.visit",
                verbose_name="visit",
            ),
        ),
        migrations.RunPython(by_month, back),
    ]
