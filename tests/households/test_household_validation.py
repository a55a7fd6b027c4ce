"""Bad household input is refused with the field and the reason, and nothing is saved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from households.models import NOT_A_BUILDING, Household
from monitoring.models import TierChange, TierScheme
from tests.admin_forms import admin_form_data, errors_of
from tests.grids.factories import administrator
from tests.households.factories import HouseholdFactory, default_tier

pytestmark = pytest.mark.django_db
ADD = reverse("admin:households_household_add")


@pytest.fixture
def admin_client(client):
    client.force_login(administrator())
    return client


def add_household(client, language="zh-hans", **fields):
    client.cookies["django_language"] = language
    data = admin_form_data(
        client,
        ADD,
        **{
            "number": "HH-NEW-1",
            "entrance": "1",
            "floor": "5",
            "room": "501",
            "tier": default_tier("green").pk,
            "tier_reason": "初始评定",
            **fields,
        },
    )
    return client.post(ADD, data)


def test_a_valid_household_is_saved_with_its_first_tier_change(grid, admin_client):
    response = add_household(admin_client, building=grid.building_1.pk, phone="+86 138-0013-8000")

    assert response.status_code == 302
    household = Household.objects.get(number="HH-NEW-1")
    assert household.phone == "13800138000"
    change = TierChange.objects.get(household=household)
    assert (change.from_tier, change.to_tier, change.reason) == (None, household.tier, "初始评定")
    assert household.tier_changed_at == change.changed_at


def test_a_room_on_a_unit_that_is_not_a_building_is_refused(grid, admin_client):
    response = add_household(admin_client, building=grid.area_east.pk)

    assert errors_of(response)["building"] == [str(NOT_A_BUILDING)]
    assert not Household.objects.exists()


def test_the_model_refuses_a_unit_that_is_not_a_building_too(grid):
    household = HouseholdFactory.build(building=grid.area_east, unit=grid.area_east)

    with pytest.raises(ValidationError) as raised:
        household.full_clean()

    assert raised.value.message_dict["building"] == [str(NOT_A_BUILDING)]


def test_a_household_number_used_twice_is_refused(grid, admin_client):
    HouseholdFactory(number="HH-NEW-1", unit=grid.building_2)

    response = add_household(admin_client, building=grid.building_1.pk)

    assert "number" in errors_of(response)
    assert Household.objects.count() == 1


def test_a_unit_outside_the_building_is_refused(grid, admin_client):
    response = add_household(admin_client, building=grid.building_1.pk, unit=grid.building_2.pk)

    assert "unit" in errors_of(response)
    assert not Household.objects.exists()


def test_the_unit_defaults_to_the_building(grid, admin_client):
    add_household(admin_client, building=grid.building_2.pk)

    assert Household.objects.get().unit == grid.building_2


def test_an_address_already_lived_in_is_refused(grid, admin_client):
    HouseholdFactory(unit=grid.floor_1_1, entrance=1, room="501")

    response = add_household(admin_client, building=grid.building_1.pk)

    assert "room" in errors_of(response)
    assert Household.objects.count() == 1


def test_a_tier_of_another_scheme_is_refused(grid, admin_client):
    four = TierScheme.objects.get(code="four-colour")

    response = add_household(admin_client, building=grid.building_1.pk, tier=four.tiers.get(code="orange").pk)

    assert "tier" in errors_of(response)
    assert not Household.objects.exists()


def test_a_relocation_date_in_the_future_is_refused(grid, admin_client):
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)

    response = add_household(admin_client, building=grid.building_1.pk, relocated_on=tomorrow.isoformat())

    assert "relocated_on" in errors_of(response)
    assert not Household.objects.exists()


def test_a_phone_that_is_not_a_mobile_number_is_refused_in_both_languages(grid, admin_client):
    # Lazy messages render in the language active when read: read each after its request.
    chinese = errors_of(add_household(admin_client, building=grid.building_1.pk, phone="0871-6543210"))
    chinese_message = chinese["phone"][0]
    english = errors_of(add_household(admin_client, "en", building=grid.building_1.pk, phone="0871-6543210"))

    assert "手机号码" in chinese_message
    assert "mobile number" in english["phone"][0]
    assert "6543210" not in english["phone"][0]
    assert not Household.objects.exists()


def test_a_moved_out_household_needs_its_date(grid):
    household = HouseholdFactory(unit=grid.building_1)
    household.status = "moved_out"

    with pytest.raises(ValidationError) as raised:
        household.full_clean()

    assert "moved_out_on" in raised.value.message_dict
