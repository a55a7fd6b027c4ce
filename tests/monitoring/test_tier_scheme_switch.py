"""A community switching schemes takes its households along, each move recorded."""

import pytest
from django.urls import reverse

from households.models import Household
from monitoring.models import TierChange, TierScheme, UnitTierScheme
from monitoring.services import matching_tier, switch_tier_scheme
from tests.grids.factories import administrator
from tests.households.factories import HouseholdFactory, default_tier

pytestmark = pytest.mark.django_db


def scheme(code):
    return TierScheme.objects.get(code=code)


def tier(scheme_code, tier_code):
    return scheme(scheme_code).tiers.get(code=tier_code)


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        (("three-colour", "red"), "four-colour", "red"),
        (("three-colour", "yellow"), "four-colour", "yellow"),
        (("four-colour", "orange"), "three-colour", "yellow"),
        (("four-colour", "green"), "three-colour", "green"),
    ],
)
def test_matching_keeps_the_colour_or_the_place_in_severity(source, target, expected):
    assert matching_tier(tier(*source), scheme(target)).code == expected


def test_it_moves_the_households_below_and_records_each_move(grid):
    red = HouseholdFactory(unit=grid.building_1, tier=default_tier("red"))
    green = HouseholdFactory(unit=grid.building_3, tier=default_tier("green"))
    staff = administrator()

    moved = switch_tier_scheme(
        unit=grid.community, scheme=scheme("four-colour"), reason="采用四色管理", by=staff
    )

    assert moved == 2
    assert Household.objects.get(pk=red.pk).tier == tier("four-colour", "red")
    assert Household.objects.get(pk=green.pk).tier == tier("four-colour", "green")
    change = TierChange.objects.get(household=red)
    assert (change.from_tier, change.reason, change.changed_by) == (
        default_tier("red"),
        "采用四色管理",
        staff,
    )


def test_a_deeper_unit_with_its_own_scheme_is_left_alone(grid):
    UnitTierScheme.objects.create(unit=grid.area_west, scheme=scheme("three-colour"))
    west = HouseholdFactory(unit=grid.building_3, tier=default_tier("yellow"))

    switch_tier_scheme(unit=grid.community, scheme=scheme("four-colour"), reason="四色", by=None)

    assert Household.objects.get(pk=west.pk).tier == default_tier("yellow")


def test_the_admin_asks_why_when_households_would_move(grid, client):
    household = HouseholdFactory(unit=grid.building_1, tier=default_tier("yellow"))
    client.force_login(administrator())
    url = reverse("admin:grids_gridunit_change", args=[grid.community.pk])
    form = {
        "level": grid.community.level_id,
        "name": grid.community.name,
        "code": grid.community.code,
        "tier_scheme": scheme("four-colour").pk,
    }

    refused = client.post(url, form)
    accepted = client.post(url, {**form, "scheme_reason": "全社区改用四色"})

    assert "scheme_reason" in refused.context["adminform"].form.errors
    assert accepted.status_code == 302, accepted.context["adminform"].form.errors
    assert Household.objects.get(pk=household.pk).tier == tier("four-colour", "yellow")
    assert TierChange.objects.filter(household=household, reason="全社区改用四色").exists()
