"""The scheme a unit uses: set on a community, inherited below it, chosen on the unit's
admin page (monitoring adds it to the grid's page)."""

import pytest
from django.urls import reverse

from grids.models import GridUnit
from households.models import Household
from monitoring.models import TierChange, TierScheme, UnitTierScheme
from tests.grids.factories import administrator, level
from tests.households.factories import HouseholdFactory, default_tier

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:grids_gridunit_changelist")


def scheme(code):
    return TierScheme.objects.get(code=code)


def test_units_inherit_the_tier_scheme_of_the_community(grid):
    assert TierScheme.objects.in_force_for(grid.floor_1_1) == TierScheme.objects.get_default()

    UnitTierScheme.objects.create(unit=grid.community, scheme=scheme("four-colour"))

    assert TierScheme.objects.in_force_for(grid.floor_1_1) == scheme("four-colour")
    assert TierScheme.objects.in_force_for(grid.street) == TierScheme.objects.get_default()


def test_the_nearest_unit_that_names_a_scheme_wins(grid):
    UnitTierScheme.objects.create(unit=grid.street, scheme=scheme("four-colour"))
    UnitTierScheme.objects.create(unit=grid.area_west, scheme=scheme("three-colour"))

    assert TierScheme.objects.in_force_for(grid.building_3) == scheme("three-colour")
    assert TierScheme.objects.in_force_for(grid.building_1) == scheme("four-colour")


def test_the_unit_list_shows_and_filters_by_each_units_own_scheme(grid, client):
    UnitTierScheme.objects.create(unit=grid.community, scheme=scheme("four-colour"))
    client.force_login(administrator())

    listed = client.get(CHANGELIST, {"parent": grid.street.pk})
    filtered = client.get(CHANGELIST, {"own_tier_scheme__scheme__id__exact": scheme("four-colour").pk})

    assert "四色" in listed.content.decode()
    assert [u.code for u in filtered.context["cl"].result_list] == ["C1"]


def test_a_unit_added_with_a_scheme_keeps_it(grid, client):
    client.force_login(administrator())

    response = client.post(
        f"{reverse('admin:grids_gridunit_add')}?parent={grid.street.pk}",
        {
            "parent": grid.street.pk,
            "level": level("社区").pk,
            "name": "碧谷社区",
            "code": "C2",
            "tier_scheme": scheme("four-colour").pk,
        },
    )

    assert response.status_code == 302
    added = GridUnit.objects.get(code="C2")
    assert TierScheme.objects.in_force_for(added) == scheme("four-colour")


def test_emptying_the_scheme_puts_the_households_back_on_the_inherited_one(grid, client):
    UnitTierScheme.objects.create(unit=grid.community, scheme=scheme("four-colour"))
    household = HouseholdFactory(unit=grid.building_1, tier=scheme("four-colour").tiers.get(code="orange"))
    client.force_login(administrator())
    url = reverse("admin:grids_gridunit_change", args=[grid.community.pk])
    page = client.get(url)

    response = client.post(
        url,
        {
            "level": grid.community.level_id,
            "name": grid.community.name,
            "code": grid.community.code,
            "tier_scheme": "",
            "scheme_reason": "恢复三色",
        },
    )

    assert page.context["adminform"].form.initial["tier_scheme"] == scheme("four-colour").pk
    assert response.status_code == 302
    assert not UnitTierScheme.objects.filter(unit=grid.community).exists()
    assert Household.objects.get(pk=household.pk).tier == default_tier("yellow")
    assert TierChange.objects.filter(household=household, reason="恢复三色").exists()


def test_saving_a_unit_without_touching_its_scheme_moves_nobody(grid, client):
    UnitTierScheme.objects.create(unit=grid.community, scheme=scheme("four-colour"))
    HouseholdFactory(unit=grid.building_1, tier=scheme("four-colour").tiers.get(code="orange"))
    changes = TierChange.objects.count()
    client.force_login(administrator())

    response = client.post(
        reverse("admin:grids_gridunit_change", args=[grid.community.pk]),
        {
            "level": grid.community.level_id,
            "name": "铜源新社区",
            "code": grid.community.code,
            "tier_scheme": scheme("four-colour").pk,
        },
    )

    assert response.status_code == 302
    assert GridUnit.objects.get(pk=grid.community.pk).name == "铜源新社区"
    assert TierChange.objects.count() == changes
