"""A list's query parameters are what its schema says: an unknown one, a filter value
that names nothing, a yes/no that is neither, or an ordering the list does not offer is a
400 naming it; never silently ignored into a list the client believes filtered."""

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from monitoring.models import FollowUp
from tests.households.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "units",
    "households",
    "members",
    "tier-schemes",
    "tiers",
    "tier-changes",
    "follow-ups",
    "visits",
    "notifications",
    "cases",
    "point-entries",
    "labour-records",
    "income-records",
    "warnings",
]


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people.staff)
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("name", LISTS)
def test_an_unknown_query_parameter_is_a_400_naming_it(api, name):
    response = api.get(f"/api/v1/{name}/", {"updated_since": "2026-01-01"})

    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {"updated_since": ["Unknown query parameter."]}


@pytest.mark.parametrize("name", LISTS)
def test_an_unknown_ordering_is_a_400_naming_the_ones_offered(api, name):
    response = api.get(f"/api/v1/{name}/", {"ordering": "no_such_field"})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["ordering"]
    assert "id" in response.json()["fields"]["ordering"][0]


@pytest.mark.parametrize("name", LISTS)
def test_every_list_accepts_ordering_by_id_both_ways(api, name, people, grid):
    HouseholdFactory(unit=grid.building_2, room="901", number="ORD1")
    ascending = api.get(f"/api/v1/{name}/", {"ordering": "id"})
    descending = api.get(f"/api/v1/{name}/", {"ordering": "-id"})

    assert ascending.status_code == descending.status_code == 200
    ids = [row["id"] for row in ascending.json()["results"]]
    assert ids == sorted(ids)
    assert [row["id"] for row in descending.json()["results"]] == sorted(ids, reverse=True)


def test_households_order_by_id_descending(api, people, grid):
    for room in range(101, 106):
        HouseholdFactory(unit=grid.building_2, room=str(room), number=f"D{room}")

    ids = [row["id"] for row in api.get("/api/v1/households/", {"ordering": "-id"}).json()["results"]]

    assert len(ids) >= 5 and ids == sorted(ids, reverse=True)


def test_a_tier_code_that_names_no_tier_is_a_400_like_an_unknown_status(api):
    tier = api.get("/api/v1/households/", {"tier": "bogus"})
    status = api.get("/api/v1/households/", {"status": "bogus"})

    assert tier.status_code == status.status_code == 400
    assert list(tier.json()["fields"]) == ["tier"] and list(status.json()["fields"]) == ["status"]


def test_a_tier_code_that_exists_filters(api, people):
    code = people.household.tier.code

    response = api.get("/api/v1/households/", {"tier": code})

    assert response.status_code == 200
    assert {row["tier"] for row in response.json()["results"]} == {code}


@time_machine.travel("2026-11-25 10:00 +0800", tick=False)
@pytest.mark.parametrize(
    ("given", "late"), [("true", True), ("1", True), ("TRUE", True), ("false", False), ("0", False)]
)
def test_a_yes_no_filter_takes_true_false_1_and_0(api, people, grid, given, late):
    later = HouseholdFactory(unit=grid.building_2, room="902", tier=people.household.tier)
    for household, due_on in [
        (people.household, datetime.date(2026, 11, 20)),  # past due
        (later, datetime.date(2026, 11, 30)),  # not yet
    ]:
        FollowUp.objects.create(
            household=household,
            tier=household.tier,
            period_start=datetime.date(2026, 11, 1),
            period_end=due_on,
            due_on=due_on,
        )

    response = api.get("/api/v1/follow-ups/", {"overdue": given})

    assert response.status_code == 200
    due = [row["due_on"] for row in response.json()["results"]]
    assert due == (["2026-11-20"] if late else ["2026-11-30"])


@pytest.mark.parametrize("given", ["yes", "2", "maybe"])
def test_a_yes_no_filter_given_anything_else_is_a_400(api, given):
    response = api.get("/api/v1/follow-ups/", {"overdue": given})

    assert response.status_code == 400
    assert response.json()["fields"] == {"overdue": ["Give true or false (or 1 or 0)."]}
