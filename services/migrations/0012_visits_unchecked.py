"""A case's visit is no longer checked by the database: visits become partitioned by month
on PostgreSQL (monitoring/migrations/0024), and PostgreSQL cannot reference a partitioned
table by id alone. It has to go before that migration runs, hence ``run_before`` (declared
here, by the app that stands above monitoring)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0023_follow_ups_by_month"),
        ("services", "0011_point_entry_key_for_the_counter"),
    ]
    run_before = [("monitoring", "0024_visits_by_month")]

    operations = [
        migrations.AlterField(
            model_name="servicecase",
            name="visit",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="monitoring.visit",
                verbose_name="reported on visit",
            ),
        ),
    ]
