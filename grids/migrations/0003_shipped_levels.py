"""Default level names, from the reports' hierarchies (县 > 街道 > 社区 > 片区 > 楼栋 > 楼层,
and 印江's 联户 of ten households). Ranks leave gaps so an admin can insert a level."""

from django.db import migrations

LEVELS = [
    ("县", 0, False),
    ("街道", 10, False),
    ("社区", 20, False),
    ("片区", 30, False),
    ("楼栋", 40, True),
    ("楼层", 50, False),
    ("联户", 60, False),
]


def ship(apps, schema_editor):
    GridLevel = apps.get_model("grids", "GridLevel")
    for name, rank, is_building in LEVELS:
        if not GridLevel.objects.filter(rank=rank).exists():
            GridLevel.objects.get_or_create(name=name, defaults={"rank": rank, "is_building": is_building})


class Migration(migrations.Migration):
    dependencies = [("grids", "0002_initial")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
