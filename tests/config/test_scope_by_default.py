"""Scope is part of every query about a household, by default: each admin and each API
endpoint of a model in the grid asks its queryset for what the user may see, and offers
only what they may see as a relation's choices. Checked over every registered admin and
every route, so that a new one cannot forget it."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import get_resolver
from rest_framework.request import Request

from grids.models import Assignment, GridUnit
from households.models import Household
from tests.grids.factories import GridUnitFactory, UserFactory, level
from tests.households.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def in_the_grid(model) -> bool:
    return hasattr(model._default_manager.get_queryset(), "visible_to")


# Rows that point at a unit, a household or a member and yet are not scoped by them, each
# with the reason: everything else that does must have ``visible_to``.
NOT_SCOPED_BY_THE_GRID = {
    # A record's versions: read only through the record, found in scope (admin_history).
    "households.HistoricalHousehold": "read through its household",
    "households.HistoricalHousehold_labels": "read through its household",
    "households.HistoricalMember": "read through its member",
    "households.HistoricalMember_special_groups": "read through its member",
    # A user's own work, found by who did it; the admin's log is for administrators.
    "households.LedgerImport": "its uploader's",
    "households.ExportLog": "its exporter's",
    "households.PreparedExport": "its requester's",
    "monitoring.Notification": "its recipient's",
    "monitoring.TierSnapshot": "counts per unit, no household in them",
    "monitoring.WallCount": "counts per unit, no household in them; the wall reads its scope's tops",
}


def test_every_model_that_points_into_the_grid_is_scoped_by_it():
    from django.apps import apps

    from households.models import Member

    grid = (GridUnit, Household, Member)
    unscoped = [
        model._meta.label
        for model in apps.get_models()
        if any(f.many_to_one and f.concrete and f.related_model in grid for f in model._meta.get_fields())
        and not in_the_grid(model)
        and model._meta.label not in NOT_SCOPED_BY_THE_GRID
    ]

    assert unscoped == []


@pytest.fixture
def floor_head():
    """Sees everything a page could show of one building, and nothing else."""
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.all().exclude(codename="view_all_units"))
    community = GridUnitFactory(level=level("社区"))
    building = GridUnitFactory(level=level("楼栋"), parent=community)
    Assignment.objects.create(user=user, unit=building, role="floor_head")
    return user


@pytest.fixture
def households_on_both_sides(floor_head):
    mine = Assignment.objects.get(user=floor_head).unit
    other = GridUnitFactory(level=level("楼栋"), parent=GridUnit.objects.get_parent(mine))
    return HouseholdFactory(building=mine, unit=mine), HouseholdFactory(building=other, unit=other)


def grid_admins():
    return [
        pytest.param(model_admin, id=model._meta.label)
        for model, model_admin in admin.site._registry.items()
        if in_the_grid(model)
    ]


@pytest.mark.parametrize("model_admin", grid_admins())
def test_every_admin_of_a_model_in_the_grid_lists_only_the_users_scope(model_admin, floor_head):
    request = RequestFactory().get("/admin/")
    request.user = floor_head

    sql = str(model_admin.get_queryset(request).query)

    assert Assignment._meta.db_table in sql, f"{model_admin} lists rows outside the user's scope"


@pytest.mark.parametrize("model_admin", grid_admins())
def test_every_relation_in_the_grid_offers_only_the_users_scope(model_admin, floor_head):
    request = RequestFactory().get("/admin/")
    request.user = floor_head
    relations = [
        f
        for f in model_admin.model._meta.get_fields()
        if f.many_to_one and f.concrete and f.editable and in_the_grid(f.related_model)
    ]

    for field in relations:
        formfield = model_admin.formfield_for_foreignkey(field, request)
        if formfield is None:  # not on the form
            continue
        sql = str(formfield.queryset.query)
        assert Assignment._meta.db_table in sql, f"{model_admin}.{field.name} offers rows outside the scope"


def api_routes():
    found = {}
    for pattern in get_resolver().url_patterns:
        if str(pattern.pattern) != "api/v1/":
            continue
        for route in pattern.url_patterns:
            view = getattr(route.callback, "cls", None)
            if view is not None and getattr(view, "queryset", None) is not None:
                found[view.__name__] = view
    return [pytest.param(view, id=name) for name, view in sorted(found.items())]


@pytest.mark.parametrize("viewset", api_routes())
def test_every_api_endpoint_of_a_model_in_the_grid_serves_only_the_users_scope(viewset, floor_head):
    if not in_the_grid(viewset.queryset.model):
        pytest.skip("not in the grid (tier schemes, tiers): the same for everyone")
    view = viewset()
    view.request = Request(RequestFactory().get("/api/v1/"))
    view.request.user = floor_head
    view.action, view.format_kwarg, view.kwargs = "list", None, {}

    sql = str(view.get_queryset().query)

    assert Assignment._meta.db_table in sql


def test_a_household_outside_the_scope_is_not_there_for_the_admin_or_the_api(
    client, floor_head, households_on_both_sides
):
    mine, other = households_on_both_sides
    client.force_login(floor_head)

    assert client.get(f"/admin/households/household/{mine.pk}/change/").status_code == 200
    # The admin answers a row it cannot find with a redirect and "does not exist".
    assert client.get(f"/admin/households/household/{other.pk}/change/").status_code == 302
    assert client.get(f"/api/v1/households/{mine.pk}/").status_code == 200
    assert client.get(f"/api/v1/households/{other.pk}/").status_code == 404
    assert set(Household.objects.visible_to(floor_head)) == {mine}


def test_a_filter_by_household_offers_and_accepts_only_those_in_the_scope(
    client, floor_head, households_on_both_sides
):
    mine, other = households_on_both_sides
    client.force_login(floor_head)

    form = client.get("/api/v1/members/", HTTP_ACCEPT="text/html").content.decode()
    outside = client.get(f"/api/v1/members/?household={other.pk}")

    assert mine.number in form and other.number not in form
    assert outside.status_code == 400  # as for a household that does not exist
    assert "household" in outside.json()["fields"]


def test_the_admins_id_box_names_only_what_is_in_the_scope(client, floor_head, households_on_both_sides):
    mine, other = households_on_both_sides
    client.force_login(floor_head)

    shown = client.get(f"/admin/employment/joboffer/add/?household={mine.pk}").content.decode()
    hidden = client.get(f"/admin/employment/joboffer/add/?household={other.pk}").content.decode()

    assert mine.number in shown
    assert other.number not in hidden
