"""The schemes set on grid units, from the column the grid held them in before the layers
(grids' 0002 added ``GridUnit.tier_scheme`` then) into ``UnitTierScheme``; the column goes.

On a database migrated since, the column never existed and there is nothing to do.
"""

from django.db import migrations

from monitoring.legacy_schema import columns, drop_column

COLUMN = "tier_scheme_id"


def move_schemes(apps, schema_editor):
    GridUnit = apps.get_model("grids", "GridUnit")
    UnitTierScheme = apps.get_model("monitoring", "UnitTierScheme")
    units = GridUnit._meta.db_table
    if COLUMN not in columns(schema_editor, units):
        return
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"INSERT INTO {quote(UnitTierScheme._meta.db_table)} (unit_id, scheme_id) "
        f"SELECT id, {quote(COLUMN)} FROM {quote(units)} WHERE {quote(COLUMN)} IS NOT NULL"
    )
    drop_column(schema_editor, GridUnit, COLUMN)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0015_unit_tier_scheme")]

    # Back to 0015 the schemes stay in UnitTierScheme: the grid's column is not made again.
    operations = [migrations.RunPython(move_schemes, migrations.RunPython.noop)]
