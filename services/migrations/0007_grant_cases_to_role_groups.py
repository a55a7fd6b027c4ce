"""The role groups' case permissions, which monitoring's 0007 used to grant.

Granted again where monitoring's 0007 granted them already: a permission added to a group
that has it changes nothing. (An administrator who took one of these away from a role group
since would see it back: they are the permissions each role needs for cases.)
"""

from django.db import migrations

from grids.roles import ADMINISTRATOR, COMMUNITY_STAFF, GRID_WORKER, LEADER, grant_to_existing_groups

VIEW_CASE = ("services", "servicecase", "view_servicecase", "Can view case")
ADD_CASE = ("services", "servicecase", "add_servicecase", "Can add case")
CHANGE_CASE = ("services", "servicecase", "change_servicecase", "Can change case")

GRANTS = {
    ADMINISTRATOR: [VIEW_CASE, ADD_CASE, CHANGE_CASE],
    COMMUNITY_STAFF: [VIEW_CASE, ADD_CASE],
    GRID_WORKER: [VIEW_CASE, ADD_CASE],
    LEADER: [VIEW_CASE],
}


def grant(apps, schema_editor):
    grant_to_existing_groups(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0006_input_bounds"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
