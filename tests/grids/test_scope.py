"""A user's scope: the union of the subtrees of their current units, in one query."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from grids.models import GridUnit, Role
from households.models import Household
from tests.grids.factories import UserFactory, administrator
from tests.households.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes(grid):
    """Two households per building (and one on a floor unit of building 1)."""
    return {
        "b1": HouseholdFactory(unit=grid.building_1),
        "b1_floor": HouseholdFactory(unit=grid.floor_1_2),
        "b2": HouseholdFactory(unit=grid.building_2),
        "b3": HouseholdFactory(unit=grid.building_3),
    }


def numbers(queryset):
    return sorted(queryset.values_list("number", flat=True))


def test_it_returns_exactly_the_households_of_the_subtree_in_one_query(
    grid, homes, assign, django_assert_num_queries
):
    worker = UserFactory()
    assign(worker, grid.building_1, role=Role.BUILDING_HEAD)
    # Django caches a user's permissions on first use (every request does this once);
    # what is counted is the scope itself.
    worker.has_perm("grids.view_all_units")

    with django_assert_num_queries(1):
        found = numbers(Household.objects.visible_to(worker))

    assert found == sorted([homes["b1"].number, homes["b1_floor"].number])


def test_it_takes_the_union_of_several_units(grid, homes, assign):
    worker = UserFactory()
    assign(worker, grid.building_2)
    assign(worker, grid.area_west)

    assert numbers(Household.objects.visible_to(worker)) == sorted([homes["b2"].number, homes["b3"].number])


def test_a_floor_head_sees_only_their_floor(grid, homes, assign):
    worker = UserFactory()
    assign(worker, grid.floor_1_2, role=Role.FLOOR_HEAD)

    assert numbers(Household.objects.visible_to(worker)) == [homes["b1_floor"].number]


def test_community_staff_see_the_whole_community(grid, homes, assign):
    staff = UserFactory()
    assign(staff, grid.community, role=Role.COMMUNITY_STAFF)

    assert Household.objects.visible_to(staff).count() == 4


def test_it_filters_a_queryset_it_is_given(grid, homes, assign):
    worker = UserFactory()
    assign(worker, grid.area_east)
    only_b2 = Household.objects.filter(unit=grid.building_2)

    assert numbers(only_b2.visible_to(worker)) == [homes["b2"].number]


@time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC))
def test_ended_and_future_assignments_give_no_scope(grid, homes, assign):
    worker = UserFactory()
    assign(worker, grid.building_1, starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2026, 3, 9))
    assign(worker, grid.building_2, starts_on=datetime.date(2026, 3, 11))

    assert Household.objects.visible_to(worker).count() == 0
    assert numbers(Household.objects.visible_to(worker, on=datetime.date(2026, 3, 9))) == sorted(
        [homes["b1"].number, homes["b1_floor"].number]
    )


@time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC))
def test_a_temporary_cover_sees_the_grid_only_while_covering(grid, homes, assign):
    regular, stand_in = UserFactory(), UserFactory()
    assign(regular, grid.building_3, starts_on=datetime.date(2025, 1, 1))
    assign(
        stand_in,
        grid.building_3,
        covering_for=regular,
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 3, 14),
    )

    assert numbers(Household.objects.visible_to(stand_in)) == [homes["b3"].number]
    assert Household.objects.visible_to(stand_in, on=datetime.date(2026, 3, 15)).count() == 0


def test_administrators_see_everything_and_nobody_else_does_by_default(grid, homes):
    assert Household.objects.visible_to(administrator()).count() == 4
    assert Household.objects.visible_to(UserFactory()).count() == 0
    assert Household.objects.visible_to(AnonymousUser()).count() == 0


def test_an_inactive_user_sees_nothing(grid, homes, assign):
    worker = UserFactory(is_active=False)
    assign(worker, grid.community)

    assert Household.objects.visible_to(worker).count() == 0
    assert GridUnit.objects.visible_to(worker).count() == 0


def test_units_in_scope_is_the_subtree(grid, assign):
    worker = UserFactory()
    assign(worker, grid.area_east)

    codes = set(GridUnit.objects.visible_to(worker).values_list("code", flat=True))

    assert codes == {"A1", "B1", "B2", "B1F1", "B1F2"}
