from django.db import migrations

from grids.roles import ADMINISTRATOR, COMMUNITY_STAFF, LEADER, grant_to_existing_groups


def perm(model, action, verbose):
    return ("reviews", model, f"{action}_{model}", f"Can {action} {verbose}")


VIEW = [perm("review", "view", "monthly review"), perm("decision", "view", "review decision")]
HOLD = [perm("review", "add", "monthly review"), perm("review", "change", "monthly review"),
        perm("decision", "add", "review decision")]

# Community staff hold the meeting; leaders and administrators read the minutes.
GRANTS = {
    ADMINISTRATOR: VIEW,
    COMMUNITY_STAFF: VIEW + HOLD,
    LEADER: VIEW,
}


def grant(apps, schema_editor):
    grant_to_existing_groups(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_reviews"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
