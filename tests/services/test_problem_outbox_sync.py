"""Problem reports from a phone's outbox (POST /api/v1/cases/batch/) and the report page
sent twice: checked as the page checks them, each opening a case or refused on its own,
once per client key."""

import datetime
import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from households.services import update_household
from services.models import CaseEvent, ServiceCase
from tests.households.factories import HouseholdFactory, default_tier

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases/batch/"


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people.worker)
    client.cookies["django_language"] = "en"
    return client


def report(household, **overrides):
    return {
        "key": str(uuid.uuid4()),
        "household": household.pk,
        "category": "dispute",
        "urgency": "normal",
        "description": "楼道灯坏了",
        **overrides,
    }


def test_each_report_opens_a_case_or_is_refused_on_its_own_and_sending_them_again_opens_none(
    api, people, grid
):
    gone = HouseholdFactory(unit=grid.floor_1_2, tier=default_tier("green"))
    update_household(
        household=gone, changes={"status": "moved_out", "moved_out_on": datetime.date(2026, 11, 24)}, by=None
    )
    queue = [
        report(people.household),
        report(people.outside),
        report(gone),
        report(people.household, category="aliens"),
        report(people.household, description=""),
        report(people.household, urgency="urgent", description="漏水"),
    ]

    first = api.post(URL, queue, format="json").json()["results"]
    again = api.post(URL, queue, format="json").json()["results"]

    assert [r["status"] for r in first] == [
        "created",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "created",
    ]
    assert [list(r.get("errors", {})) for r in first] == [
        [],
        ["household"],
        ["household"],
        ["category"],
        ["description"],
        [],
    ]
    assert "no longer followed up" in first[2]["errors"]["household"][0]
    assert [r["status"] for r in again] == [
        "duplicate",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "duplicate",
    ]
    assert ServiceCase.objects.count() == 2 and CaseEvent.objects.count() == 2
    case = ServiceCase.objects.get(pk=first[0]["id"])
    assert case.opened_by == people.worker and case.key == uuid.UUID(queue[0]["key"]) and case.due_on


def test_a_key_used_again_for_another_household_is_refused_naming_the_key(api, people, grid):
    neighbour = HouseholdFactory(unit=grid.floor_1_2, tier=default_tier("green"))
    sent = report(people.household)
    api.post(URL, [sent], format="json")

    result = api.post(URL, [{**sent, "household": neighbour.pk}], format="json").json()["results"][0]

    assert result["status"] == "rejected" and list(result["errors"]) == ["key"]
    assert ServiceCase.objects.count() == 1


def test_another_users_key_opens_their_own_case(api, people):
    sent = report(people.household)
    api.post(URL, [sent], format="json")
    staff = APIClient()
    staff.force_authenticate(people.staff)

    result = staff.post(URL, [sent], format="json").json()["results"][0]

    assert result["status"] == "created"
    assert ServiceCase.objects.filter(key=sent["key"]).count() == 2


def test_the_report_page_sent_twice_opens_one_case_and_says_so(people, client):
    client.cookies["django_language"] = "en"
    client.force_login(people.worker)
    url = reverse("services:report", args=[people.household.pk])
    key = client.get(url).context["form"].initial["key"]
    sent = {"category": "dispute", "urgency": "normal", "description": "楼道灯坏了", "key": str(key)}

    client.post(url, sent)
    again = client.post(url, sent, follow=True)

    assert "This problem was already reported." in again.content.decode()
    assert ServiceCase.objects.get().key == key


def test_a_report_for_a_household_that_moved_out_is_refused_on_the_page_too(people, client):
    client.cookies["django_language"] = "en"
    update_household(
        household=people.household,
        changes={"status": "moved_out", "moved_out_on": datetime.date(2026, 11, 24)},
        by=None,
    )
    client.force_login(people.worker)
    url = reverse("services:report", args=[people.household.pk])

    response = client.post(
        url, {"category": "dispute", "urgency": "normal", "description": "x", "key": str(uuid.uuid4())}
    )

    assert response.status_code == 200
    assert "no longer followed up" in response.content.decode()
    assert not ServiceCase.objects.exists()
