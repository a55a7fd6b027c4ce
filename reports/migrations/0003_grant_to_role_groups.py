from django.db import migrations

from grids.roles import ADMINISTRATOR, COMMUNITY_STAFF, LEADER, grant_to_existing_groups

VIEW = ("reports", "monthlyreport", "view_monthlyreport", "Can view monthly report")
ADD = ("reports", "monthlyreport", "add_monthlyreport", "Can add monthly report")

GRANTS = {
    ADMINISTRATOR: [VIEW, ADD],
    COMMUNITY_STAFF: [VIEW, ADD],
    LEADER: [VIEW],
}


def grant(apps, schema_editor):
    grant_to_existing_groups(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_monthly_job"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
