"""The grid hierarchy: any depth, subtrees in one indexed query."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from grids.models import Assignment, GridLevel, GridUnit, Role
from households.models import Household
from tests.grids.factories import GridUnitFactory, UserFactory, level
from tests.households.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def test_a_subtree_of_any_depth_is_one_query(grid, django_assert_num_queries):
    # Seven levels below the county: deeper than any report describes.
    unit = grid.floor_1_2
    for i in range(5):
        GridLevel.objects.create(name=f"层级{i}", rank=70 + i)
        unit = GridUnitFactory(parent=unit, level=GridLevel.objects.get(name=f"层级{i}"))
    county = GridUnit.objects.get(pk=grid.county.pk)

    with django_assert_num_queries(1):
        subtree = list(county.subtree())

    assert len(subtree) == GridUnit.objects.count()
    assert unit.pk in {u.pk for u in subtree}


def test_households_under_a_unit_are_one_query(grid, django_assert_num_queries):
    HouseholdFactory(unit=grid.building_1)
    HouseholdFactory(unit=grid.floor_1_1)
    HouseholdFactory(unit=grid.building_3)

    with django_assert_num_queries(1):
        under_east = list(Household.objects.below(grid.area_east))

    assert len(under_east) == 2


def test_the_lineage_is_top_first(grid):
    assert [u.code for u in grid.floor_1_2.lineage()] == ["XF", "S1", "C1", "A1", "B1", "B1F2"]
    assert grid.floor_1_2.building() == grid.building_1
    assert grid.area_east.building() is None


def test_a_unit_must_lie_lower_than_its_parent(grid):
    unit = GridUnitFactory(parent=grid.building_1, level=level("楼层"))
    unit.level = level("社区")

    with pytest.raises(ValidationError) as raised:
        unit.full_clean()

    assert "level" in raised.value.message_dict


def test_only_buildings_carry_a_wayfinding_symbol(grid):
    grid.area_east.symbol = "apple"

    with pytest.raises(ValidationError) as raised:
        grid.area_east.full_clean()

    assert "symbol" in raised.value.message_dict


def test_who_was_responsible_on_a_day_stays_known(grid):
    before, after, head = UserFactory(), UserFactory(), UserFactory()
    Assignment.objects.create(
        user=before,
        unit=grid.building_1,
        role=Role.BUILDING_HEAD,
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2025, 6, 30),
    )
    Assignment.objects.create(
        user=after, unit=grid.building_1, role=Role.BUILDING_HEAD, starts_on=datetime.date(2025, 7, 1)
    )
    Assignment.objects.create(
        user=head, unit=grid.area_east, role=Role.GRID_HEAD, starts_on=datetime.date(2024, 1, 1)
    )

    def on(day):
        return {a.user for a in Assignment.objects.responsible_for(grid.floor_1_1, on=day)}

    assert on(datetime.date(2025, 6, 30)) == {before, head}
    assert on(datetime.date(2025, 7, 1)) == {after, head}


def test_an_assignment_cannot_end_before_it_starts(grid):
    assignment = Assignment(
        user=UserFactory(),
        unit=grid.building_1,
        role=Role.FLOOR_HEAD,
        starts_on=datetime.date(2026, 5, 1),
        ends_on=datetime.date(2026, 4, 30),
    )

    with pytest.raises(ValidationError) as raised:
        assignment.full_clean()

    assert "ends_on" in raised.value.message_dict
