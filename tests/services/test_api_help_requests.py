"""Help requests relayed by a trusted system (the residents' app): by a door card's code, as
the card's page sends them, or by a household in the system's scope; answered with the
case's id and status. Only an account given ``services.request_help`` may send them."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from rest_framework.test import APIClient

from grids.models import Role
from monitoring.models import Notification
from services.door_cards import door_card_token, issue_door_card
from services.models import CaseCategory, ServiceCase
from tests.grids.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(people):
    made = issue_door_card(household=people.household, by=people.staff)
    yield made
    cache.delete(f"help:card:{made.key}")


@pytest.fixture
def limits_cleared(people):
    # The hourly counts live in the shared cache, beyond one test's database.
    cache.delete(f"help:card:household-{people.household.pk}")
    yield
    cache.delete(f"help:card:household-{people.household.pk}")


def trusted(assign=None, unit=None, **names):
    system = UserFactory(username="resident-app", **names)
    system.user_permissions.add(Permission.objects.get(codename="request_help"))
    if assign is not None:
        assign(system, unit, role=Role.COMMUNITY_STAFF, starts_on="2020-01-01")
    client = APIClient()
    client.force_authenticate(system)
    client.cookies["django_language"] = "en"
    return client


def send(client, **body):
    return client.post("/api/v1/help-requests/", body, format="json")


def test_a_request_by_door_card_opens_a_case_for_the_grid_worker(people, card):
    response = send(
        trusted(), door_card=door_card_token(card), kind="health", phone="13912345678", text="发烧"
    )

    assert response.status_code == 201, response.content
    case = ServiceCase.objects.get()
    assert response.json() == {"case": case.pk, "status": "open", "new_case": True}
    assert case.household == people.household and case.category == CaseCategory.AID_SICK
    assert "13912345678" in case.description
    assert Notification.objects.filter(recipient=case.assigned_to).exists()


def test_the_case_names_the_system_that_relayed_it_in_chinese_whatever_the_senders_language(people, card):
    system = trusted(first_name="找政府App", last_name="")  # asks in English (its language cookie)

    send(system, door_card=door_card_token(card), kind="health", text="发烧")

    assert ServiceCase.objects.get().description == "看病就医 · 发烧 · 经找政府App转来"


def test_a_request_by_household_needs_it_in_scope(people, grid, assign, limits_cleared):
    client = trusted(assign, grid.area_east)

    inside = send(client, household=people.household.pk, kind="daily")
    outside = send(client, household=people.outside.pk, kind="daily")

    assert inside.status_code == 201 and inside.json()["case"] == ServiceCase.objects.get().pk
    assert outside.status_code == 400 and "household" in outside.json()["fields"]
    assert ServiceCase.objects.count() == 1


def test_past_the_hourly_limit_a_request_joins_the_open_case(people, card, monkeypatch):
    monkeypatch.setattr("services.door_cards.HELP_LIMIT_PER_CARD", 1)
    client = trusted()

    first = send(client, door_card=door_card_token(card), kind="daily")
    second = send(client, door_card=door_card_token(card), kind="daily", text="还需要帮忙")

    assert first.json()["new_case"] is True
    assert second.status_code == 201
    assert second.json() == {"case": first.json()["case"], "status": "open", "new_case": False}
    assert ServiceCase.objects.count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"door_card": "forged:abc", "kind": "daily"}, "door_card"),
        ({"kind": "daily"}, "door_card"),
        ({"door_card": "CARD", "kind": "bogus"}, "kind"),
        ({"door_card": "CARD", "kind": "daily", "phone": "12345"}, "phone"),
        ({"door_card": "CARD", "kind": "daily", "text": "x" * 201}, "text"),
        ({"door_card": "CARD", "kind": "daily", "case": 1}, "case"),
    ],
    ids=[
        "forged card",
        "neither card nor household",
        "unknown kind",
        "bad phone",
        "too many words",
        "unknown",
    ],
)
def test_bad_input_is_refused_naming_the_field(people, card, body, field):
    body = {name: door_card_token(card) if value == "CARD" else value for name, value in body.items()}

    response = send(trusted(), **body)

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not ServiceCase.objects.exists()


def test_a_replaced_card_is_refused(people, card):
    token = door_card_token(card)
    issue_door_card(household=people.household, by=people.staff)

    response = send(trusted(), door_card=token, kind="daily")

    assert response.status_code == 400 and "replaced" in response.json()["fields"]["door_card"][0]


def test_both_a_card_and_a_household_is_refused(people, card):
    response = send(trusted(), door_card=door_card_token(card), household=people.household.pk, kind="daily")

    assert response.status_code == 400
    assert "door_card" in response.json()["fields"] and "household" in response.json()["fields"]


def test_an_account_without_the_permission_is_refused(people, card):
    client = APIClient()
    client.force_authenticate(people.staff)  # staff open cases, but relay no residents' requests

    response = send(client, door_card=door_card_token(card), kind="daily")

    assert response.status_code == 403
    assert not ServiceCase.objects.exists()


def test_a_retry_with_the_same_idempotency_key_opens_one_case(people, card):
    client = trusted()
    body = {"door_card": door_card_token(card), "kind": "daily"}

    first = client.post("/api/v1/help-requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="resident-1")
    again = client.post("/api/v1/help-requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="resident-1")

    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert ServiceCase.objects.count() == 1
