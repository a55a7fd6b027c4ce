"""Households written through the API: registered with their first tier (the history opens
with it), changed through the model's validation, never deleted; their tier is moved by
change-tier only; a building outside the scope is refused as if it did not exist."""

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from grids.models import Role
from households.models import Household, HouseholdStatus, Label
from monitoring.models import Tier, TierChange
from tests.grids.factories import community_staff
from tests.households.factories import default_tier

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=SHANGHAI)):
        yield


@pytest.fixture
def api(people):
    """Community staff on the whole community: they may add and change households."""
    client = APIClient()
    client.force_authenticate(people.staff)
    return client


@pytest.fixture
def east(grid, assign):
    """Community staff on the east area only: building 3 (west) is outside their scope."""
    staff = community_staff(username="east")
    assign(staff, grid.area_east, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2020, 1, 1))
    client = APIClient()
    client.force_authenticate(staff)
    return client


def new_household(grid, **overrides):
    return {
        "number": "HH-API-1",
        "building": grid.building_1.pk,
        "unit": grid.floor_1_2.pk,
        "entrance": 2,
        "floor": 2,
        "room": "202",
        "origin_county": "鲁甸县",
        "origin_township": "龙头山镇",
        "origin_village": "翠屏村",
        "relocated_on": "2019-12-20",
        "phone": "+86 139-1234-5679",
        "labels": ["elderly-alone", "minimum-allowance"],
        "tier": "yellow",
        "tier_reason": "Initial assessment",
        **overrides,
    }


def rows():
    return Household.objects.count(), TierChange.objects.count()


def test_it_registers_a_household_and_opens_its_tier_history(api, grid, people):
    response = api.post("/api/v1/households/", new_household(grid), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    household = Household.objects.get(number="HH-API-1")
    assert body["id"] == household.pk
    assert body["tier"] == "yellow" and body["status"] == "active"
    assert sorted(body["labels"]) == ["elderly-alone", "minimum-allowance"]
    assert body["phone"] == "13912345679" == household.phone  # stored as the forms store it
    assert "tier_reason" not in body
    assert household.unit == grid.floor_1_2 and household.tier == default_tier("yellow")
    change = TierChange.objects.get(household=household)
    assert (change.from_tier, change.to_tier) == (None, default_tier("yellow"))
    assert change.reason == "Initial assessment" and change.changed_by == people.staff
    assert body["tier_changed_at"] is not None and household.tier_changed_at == change.changed_at
    assert household.history.latest().history_user == people.staff


def test_the_first_tier_may_be_given_by_id_and_the_unit_defaults_to_the_building(api, grid):
    data = new_household(grid, tier=default_tier("red").pk)
    del data["unit"]

    response = api.post("/api/v1/households/", data, format="json")

    assert response.status_code == 201, response.content
    household = Household.objects.get(number="HH-API-1")
    assert household.tier == default_tier("red") and household.unit == grid.building_1


@pytest.mark.parametrize("tier", ["purple", 0, "²", "١"])  # digits that are not ASCII
def test_an_unknown_tier_is_a_400_on_tier(api, grid, tier):
    before = rows()

    response = api.post("/api/v1/households/", new_household(grid, tier=tier), format="json")

    assert response.status_code == 400 and list(response.json()["fields"]) == ["tier"]
    assert rows() == before


def test_a_tier_of_another_scheme_is_refused_by_the_model(api, grid):
    other = Tier.objects.exclude(scheme=default_tier().scheme).first()
    before = rows()

    response = api.post("/api/v1/households/", new_household(grid, tier=other.pk), format="json")

    assert response.status_code == 400 and "tier" in response.json()["fields"]
    assert rows() == before


def test_a_reason_is_required_for_the_first_tier(api, grid):
    data = new_household(grid)
    del data["tier_reason"]

    response = api.post("/api/v1/households/", data, format="json")

    assert response.status_code == 400 and "tier_reason" in response.json()["fields"]


def test_a_building_outside_the_scope_is_refused_as_if_it_did_not_exist(east, grid):
    before = rows()

    outside = east.post(
        "/api/v1/households/", new_household(grid, building=grid.building_3.pk), format="json"
    )
    missing = east.post("/api/v1/households/", new_household(grid, building=999999), format="json")

    assert outside.status_code == missing.status_code == 400
    said = outside.json()["fields"]["building"][0].replace(str(grid.building_3.pk), "N")
    assert said == missing.json()["fields"]["building"][0].replace("999999", "N")
    assert rows() == before


def test_a_unit_outside_the_scope_is_refused_too(east, grid):
    response = east.post("/api/v1/households/", new_household(grid, unit=grid.building_3.pk), format="json")

    assert response.status_code == 400 and list(response.json()["fields"]) == ["unit"]


def test_a_unit_that_is_not_a_building_is_refused_by_the_model(api, grid):
    response = api.post(
        "/api/v1/households/", new_household(grid, building=grid.area_east.pk, unit=None), format="json"
    )

    assert response.status_code == 400 and "building" in response.json()["fields"]


def test_an_invalid_phone_is_a_400_that_does_not_repeat_it(api, grid):
    before = rows()

    response = api.post("/api/v1/households/", new_household(grid, phone="123-4567-8901"), format="json")

    assert response.status_code == 400 and list(response.json()["fields"]) == ["phone"]
    assert b"12345678901" not in response.content and b"123-4567-8901" not in response.content
    assert rows() == before


def test_a_taken_address_is_told_beside_the_room_and_saves_nothing(api, grid, people):
    before = rows()
    data = new_household(grid, building=grid.building_1.pk, unit=None, entrance=1, room="501")

    response = api.post("/api/v1/households/", data, format="json")

    assert response.status_code == 400 and list(response.json()["fields"]) == ["room"]
    assert rows() == before
    assert not Label.objects.filter(households__number="HH-API-1").exists()


@pytest.mark.parametrize(
    "extra",
    [{"colour": "red"}, {"status": "moved_out"}, {"id": 5}, {"tier_changed_at": "2026-01-01T00:00:00Z"}],
)
def test_unknown_and_server_owned_fields_are_a_400_naming_them(api, grid, extra):
    before = rows()

    response = api.post("/api/v1/households/", new_household(grid, **extra), format="json")

    assert response.status_code == 400 and list(response.json()["fields"]) == list(extra)
    assert rows() == before


def test_a_grid_worker_may_read_but_not_add_or_change(people, grid):
    client = APIClient()
    client.force_authenticate(people.worker)

    added = client.post("/api/v1/households/", new_household(grid), format="json")
    changed = client.patch(f"/api/v1/households/{people.household.pk}/", {"phone": ""}, format="json")

    assert added.status_code == changed.status_code == 403
    assert not Household.objects.filter(number="HH-API-1").exists()
    people.household.refresh_from_db()
    assert people.household.phone == "13912345678"


def test_households_are_never_deleted(api, people):
    worker = APIClient()
    worker.force_authenticate(people.worker)

    assert api.delete(f"/api/v1/households/{people.household.pk}/").status_code == 405
    assert worker.delete(f"/api/v1/households/{people.household.pk}/").status_code == 405
    assert Household.objects.filter(pk=people.household.pk).exists()


def test_a_change_is_validated_by_the_model_and_kept_in_the_history(api, people):
    url = f"/api/v1/households/{people.household.pk}/"

    response = api.patch(
        url,
        {"phone": "138 0013 8000", "labels": ["orphan"], "origin_village": "翠屏村", "room": "502"},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["phone"] == "13800138000" and body["labels"] == ["orphan"] and body["room"] == "502"
    household = Household.objects.get(pk=people.household.pk)
    assert household.phone == "13800138000" and household.origin_village == "翠屏村"
    assert list(household.labels.values_list("code", flat=True)) == ["orphan"]
    assert household.tier == default_tier("yellow")  # untouched
    assert household.history.latest().history_user == people.staff


def test_a_household_moves_out_with_a_date(api, people):
    url = f"/api/v1/households/{people.household.pk}/"

    undated = api.patch(url, {"status": "moved_out"}, format="json")
    dated = api.patch(url, {"status": "moved_out", "moved_out_on": "2026-11-20"}, format="json")

    assert undated.status_code == 400 and list(undated.json()["fields"]) == ["moved_out_on"]
    assert dated.status_code == 200, dated.content
    people.household.refresh_from_db()
    assert people.household.status == HouseholdStatus.MOVED_OUT
    assert people.household.moved_out_on == datetime.date(2026, 11, 20)


def test_the_tier_is_not_changed_by_a_patch_but_by_change_tier(api, people):
    url = f"/api/v1/households/{people.household.pk}/"

    response = api.patch(url, {"tier": "red", "phone": ""}, format="json")

    assert response.status_code == 400 and list(response.json()["fields"]) == ["tier"]
    assert "change-tier" in response.json()["fields"]["tier"][0]
    people.household.refresh_from_db()
    assert people.household.tier == default_tier("yellow") and people.household.phone == "13912345678"
    assert not TierChange.objects.filter(household=people.household).exists()


def test_a_change_outside_the_scope_is_a_404_and_moving_there_a_400(east, people, grid):
    outside = east.patch(f"/api/v1/households/{people.outside.pk}/", {"phone": ""}, format="json")
    moved = east.patch(
        f"/api/v1/households/{people.household.pk}/",
        {"building": grid.building_3.pk, "unit": None},
        format="json",
    )

    assert outside.status_code == 404
    assert moved.status_code == 400 and list(moved.json()["fields"]) == ["building"]
    people.household.refresh_from_db()
    assert people.household.building == grid.building_1


def test_a_whole_household_may_be_put(api, people, grid):
    data = {
        "number": people.household.number,
        "building": grid.building_2.pk,
        "unit": None,  # the building itself
        "floor": 3,
        "room": "301",
    }

    response = api.put(f"/api/v1/households/{people.household.pk}/", data, format="json")

    assert response.status_code == 200, response.content
    people.household.refresh_from_db()
    assert people.household.building == people.household.unit == grid.building_2


@pytest.mark.parametrize(
    "extra",
    [
        {"labels": ["elderly-alone\x00"]},  # PostgreSQL cannot compare a text holding NUL
        {"tier": "red\x00"},
        {"tier": True},
        {"tier": 10**30},
        {"building": 10**30},
        {"number": "HH\x00"},
    ],
)
def test_odd_input_is_a_400_never_a_500(api, grid, extra):
    before = rows()

    response = api.post("/api/v1/households/", new_household(grid, **extra), format="json")

    assert response.status_code == 400 and list(response.json()["fields"]) == list(extra)
    assert rows() == before
