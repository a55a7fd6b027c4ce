"""The hierarchy in the admin: drill down, add under a parent, stay in scope."""

import pytest
from django.urls import reverse

from grids.models import GridUnit, Role
from tests.grids.factories import administrator, community_staff, level

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:grids_gridunit_changelist")
ADD = reverse("admin:grids_gridunit_add")


def test_it_drills_down_one_level_at_a_time(grid, admin_client):
    response = admin_client.get(CHANGELIST, {"parent": grid.community.pk})

    assert [u.code for u in response.context["cl"].result_list] == ["A1", "A2"]


def test_a_unit_page_shows_its_place_and_the_units_below(grid, admin_client):
    page = admin_client.get(
        reverse("admin:grids_gridunit_change", args=[grid.building_1.pk])
    ).content.decode()

    assert "铜源社区" in page and "东片区" in page
    assert f"?parent={grid.building_1.pk}" in page


def test_a_unit_is_added_under_its_parent(grid, client):
    client.force_login(administrator())

    response = client.post(
        f"{ADD}?parent={grid.area_west.pk}",
        {
            "parent": grid.area_west.pk,
            "level": level("楼栋").pk,
            "name": "9栋",
            "code": "B9",
            "symbol": "pear",
        },
    )

    assert response.status_code == 302
    added = GridUnit.objects.get(code="B9")
    assert GridUnit.objects.get_parent(added) == grid.area_west
    assert added in grid.area_west.subtree()  # the subtree query finds it


def test_a_unit_above_its_parents_level_is_refused(grid, client):
    client.force_login(administrator())

    response = client.post(
        f"{ADD}?parent={grid.building_1.pk}",
        {
            "parent": grid.building_1.pk,
            "level": level("社区").pk,
            "name": "错误",
            "code": "BAD",
        },
    )

    assert "level" in response.context["adminform"].form.errors
    assert not GridUnit.objects.filter(code="BAD").exists()


def test_staff_cannot_start_a_new_tree_or_add_outside_their_scope(grid, client, assign):
    staff = community_staff()
    staff.user_permissions.add(*_add_unit_permission())
    assign(staff, grid.area_east, role=Role.COMMUNITY_STAFF)
    client.force_login(staff)

    no_parent = client.post(ADD, {"level": level("县").pk, "name": "新县", "code": "NEW"})
    outside = client.post(
        f"{ADD}?parent={grid.area_west.pk}",
        {
            "parent": grid.area_west.pk,
            "level": level("楼栋").pk,
            "name": "9栋",
            "code": "B9",
        },
    )

    assert "parent" in no_parent.context["adminform"].form.errors
    assert "parent" in outside.context["adminform"].form.errors
    assert not GridUnit.objects.filter(code__in=["NEW", "B9"]).exists()


def test_staff_see_only_their_subtree(grid, client, assign):
    staff = community_staff()
    assign(staff, grid.area_west, role=Role.COMMUNITY_STAFF)
    client.force_login(staff)

    response = client.get(CHANGELIST)

    assert [u.code for u in response.context["cl"].result_list] == ["A2", "B3"]


def _add_unit_permission():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename="add_gridunit")
