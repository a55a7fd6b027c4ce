"""Tier proposals from a phone's outbox (POST /api/v1/proposals/batch/) and the proposal
page sent twice: checked as the page checks them, each saved or refused on its own, once
per client key."""

import datetime
import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from households.services import update_household
from monitoring.models import TierProposal
from tests.households.factories import HouseholdFactory, default_tier

pytestmark = pytest.mark.django_db
URL = "/api/v1/proposals/batch/"


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people.worker)
    client.cookies["django_language"] = "en"
    return client


def proposal(household, tier="red", **overrides):
    return {
        "key": str(uuid.uuid4()),
        "household": household.pk,
        "tier": default_tier(tier).pk,
        "reason": "户主住院",
        **overrides,
    }


def test_each_proposal_is_saved_or_refused_on_its_own_and_sending_them_again_saves_nothing(api, people, grid):
    neighbour = HouseholdFactory(unit=grid.floor_1_2, tier=default_tier("green"))
    gone = HouseholdFactory(unit=grid.floor_1_2, tier=default_tier("green"))
    update_household(
        household=gone, changes={"status": "moved_out", "moved_out_on": datetime.date(2026, 11, 24)}, by=None
    )
    queue = [
        proposal(people.household),
        proposal(people.outside),
        proposal(gone),
        proposal(neighbour, tier="green"),
        proposal(neighbour, reason=""),
        proposal(neighbour, tier="yellow"),
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
        ["tier"],
        ["reason"],
        [],
    ]
    assert "no longer followed up" in first[2]["errors"]["household"][0]
    # Its own tier is not among the choices the page offers: refused in the page's words.
    assert "not one of the available choices" in first[3]["errors"]["tier"][0]
    assert [r["status"] for r in again] == [
        "duplicate",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "duplicate",
    ]
    assert again[0]["id"] == first[0]["id"] and again[5]["id"] == first[5]["id"]
    assert TierProposal.objects.count() == 2
    assert set(TierProposal.objects.values_list("key", flat=True)) == {
        uuid.UUID(queue[0]["key"]),
        uuid.UUID(queue[5]["key"]),
    }


def test_a_second_proposal_for_a_household_waiting_for_a_decision_is_refused_with_the_reason(api, people):
    results = api.post(URL, [proposal(people.household), proposal(people.household)], format="json").json()

    assert [r["status"] for r in results["results"]] == ["created", "rejected"]
    assert "already waiting for a decision" in results["results"][1]["errors"]["tier"][0]


def test_a_key_used_again_for_another_household_is_refused_naming_the_key(api, people, grid):
    neighbour = HouseholdFactory(unit=grid.floor_1_2, tier=default_tier("green"))
    sent = proposal(people.household)
    api.post(URL, [sent], format="json")

    result = api.post(URL, [{**sent, "household": neighbour.pk}], format="json").json()["results"][0]

    assert result["status"] == "rejected" and list(result["errors"]) == ["key"]
    assert sent["key"] in result["errors"]["key"][0]
    assert TierProposal.objects.count() == 1


def test_a_read_only_user_cannot_send_proposals(people):
    client = APIClient()
    client.force_authenticate(people.leader)

    response = client.post(URL, [proposal(people.household)], format="json")

    assert response.status_code == 403
    assert not TierProposal.objects.exists()


def test_the_proposal_page_sent_twice_saves_one_and_says_so(people, client):
    client.cookies["django_language"] = "en"
    client.force_login(people.worker)
    url = reverse("monitoring:propose", args=[people.household.pk])
    form = client.get(url).context["form"]
    sent = {"tier": default_tier("red").pk, "reason": "户主住院", "key": str(form.initial["key"])}

    first = client.post(url, sent)
    again = client.post(url, sent, follow=True)

    assert first.status_code == 302 and again.redirect_chain[-1][0] == reverse(
        "households:card", args=[people.household.pk]
    )
    assert "This proposal was already sent." in again.content.decode()
    assert TierProposal.objects.get().key == uuid.UUID(sent["key"])


def test_the_proposal_page_renders_a_fresh_key_each_time(people, client):
    client.force_login(people.worker)
    url = reverse("monitoring:propose", args=[people.household.pk])

    pages = [client.get(url).content.decode() for _ in range(2)]

    keys = [page.split('name="key" value="')[1].split('"')[0] for page in pages]
    assert keys[0] != keys[1] and all(uuid.UUID(key) for key in keys)
