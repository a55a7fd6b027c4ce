from django.db import migrations

from grids.roles import ADMINISTRATOR, COMMUNITY_STAFF, GRID_WORKER, LEADER, grant_to_existing_groups


def perm(model, action, verbose):
    return ("employment", model, f"{action}_{model}", f"Can {action} {verbose}")


WORKPLACES = [perm(m, a, v) for m, v in [("workshop", "workshop"), ("welfarepost", "public-welfare post")]
              for a in ("view", "add", "change")]
RECORDS = [perm("labourrecord", a, "labour record") for a in ("view", "add")] + [
    perm(m, a, v) for m, v in [("training", "training"), ("joboffer", "job offer")] for a in ("view", "add", "change")
]
INCOME = [perm("incomerecord", a, "income record") for a in ("view", "add")]
LINES = [perm("incomeline", a, "income line") for a in ("view", "add", "change", "delete")]
WARNINGS = [perm("warning", "view", "warning")]

GRANTS = {
    ADMINISTRATOR: WORKPLACES + RECORDS + INCOME + LINES + WARNINGS,
    COMMUNITY_STAFF: WORKPLACES + RECORDS + INCOME + LINES[:1] + WARNINGS,
    GRID_WORKER: RECORDS[:2] + [p for p in RECORDS[2:] if not p[2].startswith("change")] + WARNINGS,
    LEADER: RECORDS[:1] + INCOME[:1] + WARNINGS,
}


def grant(apps, schema_editor):
    grant_to_existing_groups(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("employment", "0002_shipped_lines_and_nightly_rules"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
