from django.db import migrations

from grids.roles import ADMINISTRATOR, COMMUNITY_STAFF, GRID_WORKER, LEADER, grant_to_existing_groups

VIEW_PROPOSAL = ("monitoring", "tierproposal", "view_tierproposal", "Can view tier proposal")
ADD_PROPOSAL = ("monitoring", "tierproposal", "add_tierproposal", "Can add tier proposal")
DECIDE = ("monitoring", "tierproposal", "decide_tierproposal", "Can approve or reject tier proposals")
VIEW_CASE = ("services", "servicecase", "view_servicecase", "Can view case")
ADD_CASE = ("services", "servicecase", "add_servicecase", "Can add case")
CHANGE_CASE = ("services", "servicecase", "change_servicecase", "Can change case")

GRANTS = {
    ADMINISTRATOR: [VIEW_PROPOSAL, ADD_PROPOSAL, DECIDE, VIEW_CASE, ADD_CASE, CHANGE_CASE],
    COMMUNITY_STAFF: [VIEW_PROPOSAL, ADD_PROPOSAL, DECIDE, VIEW_CASE, ADD_CASE],
    GRID_WORKER: [VIEW_PROPOSAL, ADD_PROPOSAL, VIEW_CASE, ADD_CASE],
    LEADER: [VIEW_PROPOSAL, VIEW_CASE],
}


def grant(apps, schema_editor):
    grant_to_existing_groups(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0006_visits_from_phones"),
        ("services", "0001_cases"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
