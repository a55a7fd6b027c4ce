"""Role groups: what each kind of user may do, as Django groups with permissions.

Groups are created when missing and then left alone, so that an administrator's edits
to a group's permissions survive later migrations.
"""

from django.utils.translation import gettext_noop

# Group names are stored untranslated (they are data); the UI translates them on display.
ADMINISTRATOR = gettext_noop("Administrator")
COMMUNITY_STAFF = gettext_noop("Community staff")
GRID_WORKER = gettext_noop("Grid worker")
LEADER = gettext_noop("Read-only leader")

_VIEW = ["view"]
_EDIT = ["view", "add", "change"]

ROLE_PERMISSIONS = {
    ADMINISTRATOR: {
        "grids": {
            "gridlevel": _EDIT + ["delete"],
            "gridunit": _EDIT + ["delete", "view_all_units"],
            "assignment": _EDIT + ["delete"],
        },
        "households": {
            "household": _EDIT,
            "member": _EDIT + ["view_id_number"],
            "labelcategory": _EDIT + ["delete"],
            "labelsubcategory": _EDIT + ["delete"],
            "label": _EDIT + ["delete"],
            "specialgroup": _EDIT + ["delete"],
            "ledgerimport": ["view", "add"],
            "exportlog": ["view", "export_ledgers"],
        },
        "monitoring": {
            "tierscheme": _EDIT,
            "tier": _EDIT,
            "tierchange": ["view", "add"],
            "followup": _VIEW,
            "visit": ["view", "add"],
            "notification": _VIEW,
            "calendaryear": _EDIT + ["delete"],
            "calendarday": _EDIT + ["delete"],
            "tierproposal": ["view", "add", "decide_tierproposal"],
        },
        "services": {
            "servicecase": _EDIT,
            "caseevent": _VIEW,
            "doorcard": _EDIT,
            "volunteerteam": _EDIT + ["delete"],
            "volunteer": _EDIT + ["delete"],
            "pointrule": _EDIT + ["delete"],
            "rewarditem": _EDIT,
            "pointentry": ["view", "add"],
            "servicerecord": ["view", "add"],
        },
        "employment": {
            "workshop": _EDIT + ["delete"],
            "welfarepost": _EDIT + ["delete"],
            "labourrecord": ["view", "add"],
            "training": _EDIT,
            "joboffer": _EDIT,
            "incomerecord": ["view", "add"],
            "incomeline": _EDIT + ["delete"],
            "warning": _VIEW,
        },
    },
    COMMUNITY_STAFF: {
        "grids": {"gridunit": _VIEW, "assignment": _EDIT},
        "households": {
            "household": _EDIT,
            "member": _EDIT + ["view_id_number"],
            "label": _VIEW,
            "specialgroup": _VIEW,
            "ledgerimport": ["view", "add"],
            "exportlog": ["export_ledgers"],
        },
        "monitoring": {
            "tierscheme": _VIEW,
            "tier": _VIEW,
            "tierchange": ["view", "add"],
            "followup": _VIEW,
            "visit": ["view", "add"],
            "notification": _VIEW,
            "tierproposal": ["view", "add", "decide_tierproposal"],
        },
        "services": {
            "servicecase": _EDIT,
            "caseevent": _VIEW,
            "doorcard": _EDIT,
            "volunteerteam": _EDIT,
            "volunteer": _EDIT,
            "pointrule": _VIEW,
            "rewarditem": _EDIT,
            "pointentry": ["view", "add"],
            "servicerecord": ["view", "add"],
        },
        "employment": {
            "workshop": _EDIT,
            "welfarepost": _EDIT,
            "labourrecord": ["view", "add"],
            "training": _EDIT,
            "joboffer": _EDIT,
            "incomerecord": ["view", "add"],
            "incomeline": _VIEW,
            "warning": _VIEW,
        },
    },
    GRID_WORKER: {
        "grids": {"gridunit": _VIEW},
        "households": {
            "household": _VIEW,
            "member": _VIEW,
            "label": _VIEW,
            "exportlog": ["export_ledgers"],
        },
        "monitoring": {
            "tier": _VIEW,
            "tierchange": _VIEW,
            "followup": _VIEW,
            "visit": ["view", "add"],
            "notification": _VIEW,
            "tierproposal": ["view", "add"],
        },
        "services": {"servicecase": ["view", "add"], "caseevent": _VIEW, "pointentry": _VIEW},
        "employment": {
            "labourrecord": ["view", "add"],
            "training": ["view", "add"],
            "joboffer": ["view", "add"],
            "warning": _VIEW,
        },
    },
    LEADER: {
        "grids": {"gridunit": _VIEW + ["view_all_units"], "assignment": _VIEW},
        "households": {
            "household": _VIEW,
            "member": _VIEW,
            "label": _VIEW,
            "exportlog": ["export_ledgers"],
        },
        "monitoring": {
            "tierscheme": _VIEW,
            "tier": _VIEW,
            "tierchange": _VIEW,
            "followup": _VIEW,
            "visit": _VIEW,
            "tierproposal": _VIEW,
        },
        "services": {"servicecase": _VIEW, "caseevent": _VIEW, "pointentry": _VIEW},
        "employment": {"labourrecord": _VIEW, "incomerecord": _VIEW, "warning": _VIEW},
    },
}


def _codenames(models):
    for model, actions in models.items():
        for action in actions:
            yield action if "_" in action else f"{action}_{model}"


def create_missing_role_groups(using="default", **kwargs):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # post_migrate reaches this app before the apps after it have their permissions;
    # making them now (it is idempotent) lets a new group get all of its own.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)

    for name, apps in ROLE_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=name)
        if not created:
            continue
        for app_label, models in apps.items():
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=list(_codenames(models))
                )
            )


def grant_to_existing_groups(apps, grants: dict) -> None:
    """For a data migration: give role groups that already exist permissions added since.

    New installs get them from ``ROLE_PERMISSIONS`` when the groups are created; an
    existing install's groups were left alone then, so a migration grants what a later
    release adds. Permissions not made yet (they are made after migrating) are made here.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group_name, permissions in grants.items():
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        for app_label, model, codename, name in permissions:
            content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": name}
            )
            group.permissions.add(permission)
