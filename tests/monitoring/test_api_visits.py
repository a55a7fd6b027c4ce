"""Visits through the API: one at a time or up to 500 recorded offline, idempotent by the
client's key, validated exactly like the phone's form, never half-saved; server-owned
fields refused by name; a tier changed only through its action."""

import datetime
import uuid

import pytest
import time_machine
from rest_framework.test import APIClient

from monitoring.followups import generate_follow_ups
from monitoring.models import FollowUp, TierChange, Visit
from tests.households.factories import default_tier

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 18, tzinfo=SHANGHAI)):
        yield


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people.worker)
    return client


def visit(people, **overrides):
    return {
        "household": people.household.pk,
        "visited_at": "2026-11-25T10:00:00+08:00",
        "mode": "door",
        "notes": "一切正常",
        "needs": ["employment"],
        "key": str(uuid.uuid4()),
        **overrides,
    }


def test_a_batch_reports_each_visit_and_resending_it_creates_nothing(api, people):
    generate_follow_ups()
    good, other = visit(people), visit(people, visited_at="2026-11-24T10:00:00+08:00")
    future = visit(people, visited_at="2026-12-25T10:00:00+08:00")
    outside = visit(people, household=people.outside.pk)
    batch = [good, other, future, outside, {"visited_at": "2026-11-25T10:00:00+08:00"}]

    first = api.post("/api/v1/visits/batch/", batch, format="json").json()["results"]
    again = api.post("/api/v1/visits/batch/", batch, format="json").json()["results"]

    assert [r["status"] for r in first] == ["created", "created", "rejected", "rejected", "rejected"]
    assert (
        "visited_at" in first[2]["errors"]
        and "household" in first[3]["errors"]
        and "key" in first[4]["errors"]
    )
    assert [r["status"] for r in again] == ["duplicate", "duplicate", "rejected", "rejected", "rejected"]
    assert again[0]["id"] == first[0]["id"]
    assert Visit.objects.count() == 2
    # The visit closed this week's follow-up, as a visit from the phone does.
    assert FollowUp.objects.get(household=people.household, status="done").visit_id in {
        r["id"] for r in first[:2]
    }


def test_a_batch_is_at_most_500_and_must_be_a_list(api, people):
    too_many = [visit(people) for _ in range(501)]

    assert api.post("/api/v1/visits/batch/", too_many, format="json").status_code == 400
    assert api.post("/api/v1/visits/batch/", {"not": "a list"}, format="json").status_code == 400
    assert not Visit.objects.exists()


def test_server_owned_fields_are_a_400_naming_them(api, people):
    response = api.post(
        "/api/v1/visits/", visit(people, visited_by=people.staff.pk, id=99, colour="red"), format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"visited_by", "id", "colour"}
    assert not Visit.objects.exists()


def test_one_visit_and_the_same_key_again(api, people):
    body = visit(people)

    first = api.post("/api/v1/visits/", body, format="json")
    second = api.post("/api/v1/visits/", body, format="json")

    assert first.status_code == 201 and first.json()["visited_by"] == people.worker.pk
    assert second.status_code == 201 and second.json()["id"] == first.json()["id"]
    assert Visit.objects.count() == 1


def test_a_tier_changes_through_its_action_with_the_forms_rules(people):
    client = APIClient()
    client.force_authenticate(people.staff)
    four_colour_orange = default_tier("red").scheme.tiers.model.objects.get(
        scheme__code="four-colour", code="orange"
    )

    refused = client.post(
        f"/api/v1/households/{people.household.pk}/change-tier/",
        {"tier": four_colour_orange.pk, "reason": "x"},
    )
    silent = client.post(
        f"/api/v1/households/{people.household.pk}/change-tier/", {"tier": default_tier("red").pk}
    )
    changed = client.post(
        f"/api/v1/households/{people.household.pk}/change-tier/",
        {"tier": default_tier("red").pk, "reason": "重病"},
    )
    patched = client.patch(f"/api/v1/households/{people.household.pk}/", {"tier": "green"}, format="json")

    assert refused.status_code == 400 and "tier" in refused.json()["fields"]
    assert silent.status_code == 400 and "reason" in silent.json()["fields"]
    assert changed.status_code == 200 and changed.json()["tier"] == "red"
    assert patched.status_code == 400 and list(patched.json()["fields"]) == ["tier"]
    assert TierChange.objects.filter(household=people.household, reason="重病").count() == 1


def test_what_the_fuzzer_found_is_answered_not_a_500(api, people):
    # An offset PostgreSQL refuses (+16:06) on a date filter; a key that is not a string.
    filtered = api.get("/api/v1/cases/", {"opened_after": "0965-06-19T20:25:50+16:06"})
    batch = api.post("/api/v1/visits/batch/", [{"household": 0, "key": [None, None]}], format="json")

    assert filtered.status_code == 200
    assert batch.status_code == 200 and batch.json()["results"][0]["key"] is None
