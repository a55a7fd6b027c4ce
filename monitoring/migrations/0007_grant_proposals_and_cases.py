# This migration granted services' case permissions too, depending on services' first
# migration; services grants them itself now (services 0007_grant_cases_to_role_groups).
from django.db import migrations

from grids.roles import ADMINISTRATOR, COMMUNITY_STAFF, GRID_WORKER, LEADER, grant_to_existing_groups

VIEW_PROPOSAL = ("monitoring", "tierproposal", "view_tierproposal", "Can view tier proposal")
ADD_PROPOSAL = ("monitoring", "tierproposal", "add_tierproposal", "Can add tier proposal")
DECIDE = ("monitoring", "tierproposal", "decide_tierproposal", "Can approve or reject tier proposals")

GRANTS = {
    ADMINISTRATOR: [VIEW_PROPOSAL, ADD_PROPOSAL, DECIDE],
    COMMUNITY_STAFF: [VIEW_PROPOSAL, ADD_PROPOSAL, DECIDE],
    GRID_WORKER: [VIEW_PROPOSAL, ADD_PROPOSAL],
    LEADER: [VIEW_PROPOSAL],
}


def grant(apps, schema_editor):
    grant_to_existing_groups(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0006_visits_from_phones"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
