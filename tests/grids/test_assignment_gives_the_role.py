"""Making someone a grid worker on a unit is one step: saving the assignment puts the user
in the role's group (permissions and all), and the admin names the role groups in Chinese."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from grids import roles
from grids.models import Assignment, Role
from tests.grids.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_assignment_as_building_head_gives_the_grid_workers_permissions(grid):
    newcomer = UserFactory(username="newcomer")
    assert not newcomer.has_perm("monitoring.add_visit")

    Assignment.objects.create(user=newcomer, unit=grid.building_1, role=Role.BUILDING_HEAD).join_role_group()

    newcomer = type(newcomer).objects.get(pk=newcomer.pk)  # permissions are cached per object
    assert list(newcomer.groups.values_list("name", flat=True)) == [roles.GRID_WORKER]
    assert newcomer.has_perm("monitoring.add_visit")


def test_community_staff_and_grid_heads_join_the_community_staff_group(grid):
    staff, head = UserFactory(username="s"), UserFactory(username="h")

    Assignment.objects.create(user=staff, unit=grid.community, role=Role.COMMUNITY_STAFF).join_role_group()
    Assignment.objects.create(user=head, unit=grid.area_east, role=Role.GRID_HEAD).join_role_group()

    for user in (staff, head):
        assert list(user.groups.values_list("name", flat=True)) == [roles.COMMUNITY_STAFF]


def test_an_assignment_made_in_the_admin_gives_the_role_at_once(grid, admin_client):
    newcomer = UserFactory(username="newcomer")

    response = admin_client.post(
        reverse("admin:grids_assignment_add"),
        {"user": newcomer.pk, "unit": grid.floor_1_1.pk, "role": Role.FLOOR_HEAD, "starts_on": "2026-11-25"},
        follow=False,
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert newcomer.groups.filter(name=roles.GRID_WORKER).exists()
    told = [str(m) for m in admin_client.get(response.url).context["messages"]]
    assert "newcomer 有角色组 网格员 的权限。" in told


def test_a_group_an_administrator_deleted_is_not_made_again(grid):
    Group.objects.filter(name=roles.GRID_WORKER).delete()

    Assignment.objects.create(
        user=UserFactory(), unit=grid.building_1, role=Role.BUILDING_HEAD
    ).join_role_group()

    assert not Group.objects.filter(name=roles.GRID_WORKER).exists()


def test_the_admin_names_the_role_groups_in_chinese(admin_client):
    groups = admin_client.get(reverse("admin:auth_group_changelist")).content.decode()
    worker = Group.objects.get(name=roles.GRID_WORKER)
    change = admin_client.get(reverse("admin:auth_user_change", args=[UserFactory().pk])).content.decode()

    assert "网格员" in groups and "社区工作人员" in groups
    assert f'<option value="{worker.pk}">网格员</option>' in change
