from django.db import migrations

from grids.roles import ADMINISTRATOR, COMMUNITY_STAFF, GRID_WORKER, LEADER, grant_to_existing_groups

EXPORT = ("households", "exportlog", "export_ledgers", "Can export ledgers to Excel")
VIEW_LOG = ("households", "exportlog", "view_exportlog", "Can view export")
IMPORT = [("households", "ledgerimport", f"{a}_ledgerimport", f"Can {a} ledger import") for a in ("view", "add")]

GRANTS = {
    ADMINISTRATOR: [EXPORT, VIEW_LOG, *IMPORT],
    COMMUNITY_STAFF: [EXPORT, *IMPORT],
    GRID_WORKER: [EXPORT],
    LEADER: [EXPORT],
}


def grant(apps, schema_editor):
    grant_to_existing_groups(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0005_ledger_imports_and_export_log"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
