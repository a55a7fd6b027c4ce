import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("grids", "0004_profile"),
        ("monitoring", "0014_followed_since_of_households_before"),
    ]

    operations = [
        migrations.CreateModel(
            name="UnitTierScheme",
            fields=[
                (
                    "unit",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="own_tier_scheme",
                        serialize=False,
                        to="grids.gridunit",
                        verbose_name="unit",
                    ),
                ),
                (
                    "scheme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="set_on",
                        to="monitoring.tierscheme",
                        verbose_name="tier scheme",
                    ),
                ),
            ],
            options={
                "verbose_name": "tier scheme of a unit",
                "verbose_name_plural": "tier schemes of units",
            },
        ),
    ]
