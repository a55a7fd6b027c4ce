"""Changing a tier: one function, history appended, the current tier kept in step."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from grids.models import Role
from households.models import Household
from monitoring.models import TierChange, TierScheme, UnitTierScheme
from monitoring.services import change_tier
from tests.grids.factories import UserFactory, administrator, community_staff, grid_worker
from tests.households.factories import HouseholdFactory, default_tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(grid):
    return HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("green"))


def test_it_appends_the_change_and_moves_the_household(household):
    staff = UserFactory()
    red = default_tier("red")

    change = change_tier(household=household, tier=red, reason="独居老人，突发疾病", by=staff)

    household.refresh_from_db()
    assert household.tier == red
    assert household.tier_changed_at == change.changed_at
    assert (change.from_tier, change.to_tier, change.changed_by) == (default_tier("green"), red, staff)
    assert household.history.first().history_user == staff


def test_each_change_is_kept(household):
    by = UserFactory()
    change_tier(household=household, tier=default_tier("yellow"), reason="收入下降", by=by)
    change_tier(household=household, tier=default_tier("red"), reason="重病", by=by)
    change_tier(household=household, tier=default_tier("green"), reason="已落实低保", by=by)

    path = [(c.from_tier.code, c.to_tier.code) for c in household.tier_changes.order_by("changed_at", "id")]

    assert path == [("green", "yellow"), ("yellow", "red"), ("red", "green")]


@pytest.mark.parametrize(
    ("tier_code", "reason", "field"),
    [
        ("red", "  ", "reason"),
        ("green", "复核", "tier"),
    ],
)
def test_it_refuses_a_change_without_reason_or_without_change(household, tier_code, reason, field):
    with pytest.raises(ValidationError) as raised:
        change_tier(household=household, tier=default_tier(tier_code), reason=reason, by=None)

    assert field in raised.value.message_dict
    assert not TierChange.objects.exists()
    household.refresh_from_db()
    assert household.tier.code == "green"


def test_it_refuses_a_tier_of_another_scheme(household):
    orange = TierScheme.objects.get(code="four-colour").tiers.get(code="orange")

    with pytest.raises(ValidationError) as raised:
        change_tier(household=household, tier=orange, reason="试试", by=None)

    assert "tier" in raised.value.message_dict


def test_a_community_on_four_colours_uses_them(grid):
    four = TierScheme.objects.get(code="four-colour")
    UnitTierScheme.objects.create(unit=grid.community, scheme=four)
    household = HouseholdFactory(unit=grid.building_1, tier=four.tiers.get(code="green"))

    change_tier(household=household, tier=four.tiers.get(code="orange"), reason="风险已消除", by=None)

    assert Household.objects.get(pk=household.pk).tier.code == "orange"


def test_a_tier_change_can_be_neither_edited_nor_deleted(household):
    change = change_tier(household=household, tier=default_tier("red"), reason="重病", by=None)

    change.reason = "改写历史"
    with pytest.raises(ValidationError):
        change.save()
    with pytest.raises(ValidationError):
        change.delete()
    assert TierChange.objects.get(pk=change.pk).reason == "重病"


def change_url(household):
    return reverse("admin:households_household_change_tier", args=[household.pk])


def test_the_admin_asks_for_a_reason_and_goes_through_the_service(grid, household, client, assign):
    staff = community_staff()
    assign(staff, grid.community, role=Role.COMMUNITY_STAFF)
    client.force_login(staff)

    refused = client.post(change_url(household), {"tier": default_tier("red").pk, "reason": ""})
    accepted = client.post(change_url(household), {"tier": default_tier("red").pk, "reason": "重病住院"})

    assert "reason" in refused.context["form"].errors
    assert accepted.status_code == 302
    change = TierChange.objects.get(household=household)
    assert (change.to_tier.code, change.reason, change.changed_by) == ("red", "重病住院", staff)


def test_the_admin_offers_only_the_other_tiers_of_the_scheme(household, client):
    client.force_login(administrator())

    form = client.get(change_url(household)).context["form"]

    assert {t.code for t in form.fields["tier"].queryset} == {"red", "yellow"}


def test_the_household_page_shows_the_history_and_no_editable_tier(household, client):
    client.force_login(administrator())
    change_tier(household=household, tier=default_tier("yellow"), reason="收入下降", by=None)

    page = client.get(reverse("admin:households_household_change", args=[household.pk]))

    assert "收入下降" in page.content.decode()
    assert change_url(household) in page.content.decode()
    assert "tier" not in page.context["adminform"].form.fields


def test_a_grid_worker_may_not_change_tiers(grid, household, client, assign):
    worker = grid_worker()
    assign(worker, grid.building_1)
    client.force_login(worker)

    response = client.post(change_url(household), {"tier": default_tier("red").pk, "reason": "x"})

    assert response.status_code == 403
    assert not TierChange.objects.exists()


def test_a_household_outside_the_scope_does_not_exist(grid, household, client, assign):
    staff = community_staff()
    assign(staff, grid.area_west, role=Role.COMMUNITY_STAFF)
    client.force_login(staff)

    assert client.get(change_url(household)).status_code == 404


def test_tier_changes_are_read_only_in_the_admin(household, client):
    change = change_tier(household=household, tier=default_tier("red"), reason="重病", by=None)
    client.force_login(administrator())

    assert client.get(reverse("admin:monitoring_tierchange_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:monitoring_tierchange_delete", args=[change.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert TierChange.objects.filter(pk=change.pk).exists()
