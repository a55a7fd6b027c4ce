from django.db import migrations

from grids.roles import ADMINISTRATOR, COMMUNITY_STAFF, GRID_WORKER, LEADER, grant_to_existing_groups


def perms(model, verbose, *actions):
    return [("services", model, f"{a}_{model}", f"Can {a} {verbose}") for a in actions]


EDIT = ("view", "add", "change")
CASE_EVENTS = perms("caseevent", "case event", "view")
DOOR_CARDS = perms("doorcard", "door card", *EDIT)
VOLUNTEERING = perms("volunteerteam", "volunteer team", *EDIT) + perms("volunteer", "volunteer", *EDIT)
SHOP = perms("rewarditem", "reward item", *EDIT) + perms("pointrule", "point rule", "view")
LEDGER = perms("pointentry", "point entry", "view", "add") + perms("servicerecord", "service record", "view", "add")
CHANGE_CASE = perms("servicecase", "case", "change")

GRANTS = {
    ADMINISTRATOR: CASE_EVENTS + DOOR_CARDS + VOLUNTEERING + SHOP + LEDGER + perms("pointrule", "point rule", *EDIT),
    COMMUNITY_STAFF: CHANGE_CASE + CASE_EVENTS + DOOR_CARDS + VOLUNTEERING + SHOP + LEDGER,
    GRID_WORKER: CASE_EVENTS + LEDGER[:1],
    LEADER: CASE_EVENTS + LEDGER[:1],
}


def grant(apps, schema_editor):
    grant_to_existing_groups(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0003_case_workflow_door_cards_points"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
