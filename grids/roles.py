"""Role groups: what each kind of user may do, as Django groups with permissions.

Groups are created when missing and then left alone, so that an administrator's edits
to a group's permissions survive later migrations.
"""

from importlib import import_module

from django.apps import apps as global_apps
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_noop

# Group names are stored untranslated (they are data); the UI translates them on display.
ADMINISTRATOR = gettext_noop("Administrator")
COMMUNITY_STAFF = gettext_noop("Community staff")
GRID_WORKER = gettext_noop("Grid worker")
LEADER = gettext_noop("Read-only leader")

# The role group an assignment's role puts its user in: making someone a building head on
# a unit is all it takes for them to use the phone pages (no second step in the user's
# form). Roles not listed are a grid worker's.
GROUP_OF_ROLE = {"community_staff": COMMUNITY_STAFF, "grid_head": COMMUNITY_STAFF}


def group_of_role(role: str) -> str:
    return GROUP_OF_ROLE.get(role, GRID_WORKER)


VIEW = ["view"]
EDIT = ["view", "add", "change"]

# What each role group may do with the grid's models. Every app says the same of its own
# models in its roles.py (PERMISSIONS), found the way the admin finds admin.py.
PERMISSIONS = {
    ADMINISTRATOR: {
        "gridlevel": EDIT + ["delete"],
        "gridunit": EDIT + ["delete", "view_all_units"],
        "assignment": EDIT + ["delete"],
    },
    COMMUNITY_STAFF: {
        "gridunit": VIEW,
        "assignment": EDIT,
    },
    GRID_WORKER: {
        "gridunit": VIEW,
    },
    LEADER: {
        "gridunit": ["view", "view_all_units"],
        "assignment": VIEW,
    },
}


def role_permissions() -> dict[str, dict[str, dict[str, list[str]]]]:
    """Every app's PERMISSIONS, by role group, then app label, then model."""
    found: dict[str, dict[str, dict[str, list[str]]]] = {}
    installed = {app_config.label for app_config in global_apps.get_app_configs()}
    for app_config in global_apps.get_app_configs():
        if not module_has_submodule(app_config.module, "roles"):
            continue
        module = import_module(f"{app_config.name}.roles")
        for role, models in getattr(module, "PERMISSIONS", {}).items():
            for model, actions in models.items():
                # "auth.user": a role that manages another app's model (accounts' security
                # administrator); skipped while that app is not installed.
                app_label, _, model = model.rpartition(".")
                if app_label and app_label not in installed:
                    continue
                found.setdefault(role, {}).setdefault(app_label or app_config.label, {})[model] = actions
    return found


def _codenames(models):
    for model, actions in models.items():
        for action in actions:
            yield action if "_" in action else f"{action}_{model}"


def create_missing_role_groups(using="default", **kwargs):
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # post_migrate reaches this app before the apps after it have their permissions;
    # making them now (it is idempotent) lets a new group get all of its own.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)

    for name, apps in role_permissions().items():
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

    New installs get them from each app's ``PERMISSIONS`` when the groups are created; an
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
