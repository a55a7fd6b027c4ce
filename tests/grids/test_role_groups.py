"""The role groups a new install gets hold what every app says of its own models in its
roles.py: the grid's own grants and those of the apps above it, which grids collects
without importing them."""

import pytest
from django.contrib.auth.models import Group

from grids import roles

pytestmark = pytest.mark.django_db


def held(group_name):
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def test_every_app_contributes_its_grants_to_the_role_groups():
    worker = held(roles.GRID_WORKER)

    assert {
        "grids.view_gridunit",
        "households.view_household",
        "monitoring.add_visit",
        "services.add_servicecase",
        "employment.view_employmentwarning",
    } <= worker


def test_a_leader_reads_everything_and_writes_nothing():
    leader = held(roles.LEADER)

    assert "grids.view_all_units" in leader
    assert "employment.view_employmentwarning" in leader
    assert not {p for p in leader if p.split(".")[1].startswith(("add_", "change_", "delete_"))}


def test_the_collected_grants_name_only_models_of_their_own_app():
    from django.apps import apps

    for models in roles.role_permissions().values():
        for app_label, grants in models.items():
            own = {m._meta.model_name for m in apps.get_app_config(app_label).get_models()}
            assert set(grants) <= own, f"{app_label}/roles.py grants on models it does not own"
