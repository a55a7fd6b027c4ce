"""Tier proposals through the API, with the pages' rules and permissions: a grid worker (or
another system) proposes for a household in scope, staff list and decide; refusals name
the field; out of scope is a 404, a role without the permission a 403."""

import datetime
import uuid

import pytest
from rest_framework.test import APIClient

from grids.models import Role
from households.models import Household
from monitoring.models import ProposalStatus, TierProposal
from tests.grids.factories import community_staff
from tests.households.factories import default_tier

pytestmark = pytest.mark.django_db


def client_of(user):
    client = APIClient()
    client.force_authenticate(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def worker(people):
    return client_of(people.worker)


@pytest.fixture
def staff(people):
    return client_of(people.staff)


def proposal(people, **overrides):
    return {
        "household": people.household.pk,
        "tier": default_tier("red").pk,
        "reason": "老人住院",
        **overrides,
    }


def propose(client, people, **overrides):
    return client.post("/api/v1/proposals/", proposal(people, **overrides), format="json")


def test_a_grid_worker_proposes_a_tier_for_a_household_in_scope(worker, people):
    response = propose(worker, people)

    assert response.status_code == 201, response.content
    body = response.json()
    made = TierProposal.objects.get()
    assert body["id"] == made.pk and body["status"] == "pending"
    assert made.to_tier == default_tier("red") and made.proposed_by == people.worker
    assert response.has_header("ETag")


def test_the_same_key_sent_again_records_nothing_new(worker, people):
    key = str(uuid.uuid4())
    first = propose(worker, people, key=key)
    again = propose(worker, people, key=key)

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert TierProposal.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"tier": 999999}, "tier"),
        ({"tier": "red"}, "tier"),
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 501}, "reason"),
        ({"key": "not-a-uuid"}, "key"),
        ({"status": "approved"}, "status"),
    ],
    ids=["no such tier", "a code", "no reason", "too long", "bad key", "server-owned"],
)
def test_bad_input_is_refused_naming_the_field(worker, people, overrides, field):
    response = propose(worker, people, **overrides)

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not TierProposal.objects.exists()


def test_a_household_out_of_scope_is_refused_as_if_it_did_not_exist(worker, people):
    response = propose(worker, people, household=people.outside.pk)

    assert response.status_code == 400 and "household" in response.json()["fields"]


def test_a_second_pending_proposal_is_refused(worker, people):
    propose(worker, people)

    response = propose(worker, people, tier=default_tier("green").pk)

    assert response.status_code == 400
    assert TierProposal.objects.count() == 1


def test_a_leader_may_read_but_not_propose(people):
    response = propose(client_of(people.leader), people)

    assert response.status_code == 403


def test_the_list_holds_only_the_proposals_in_scope(worker, staff, people, grid, assign):
    propose(worker, people)
    other = community_staff(username="west")
    assign(other, grid.area_west, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2020, 1, 1))
    propose(client_of(other), people, household=people.outside.pk, tier=default_tier("green").pk)

    mine = worker.get("/api/v1/proposals/").json()["results"]
    theirs = client_of(other).get("/api/v1/proposals/?status=pending").json()["results"]

    assert [p["household"] for p in mine] == [people.household.pk]
    assert [p["household"] for p in theirs] == [people.outside.pk]
    assert worker.get(f"/api/v1/proposals/{theirs[0]['id']}/").status_code == 404


def decide(client, proposal_id, **body):
    return client.post(f"/api/v1/proposals/{proposal_id}/decide/", body, format="json")


def test_staff_approve_and_the_tier_changes(worker, staff, people):
    made = propose(worker, people).json()

    response = decide(staff, made["id"], decision="approve")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved" and body["decided_by"] == people.staff.pk
    assert body["tier_change"] is not None
    assert Household.objects.get(pk=people.household.pk).tier == default_tier("red")


def test_staff_reject_with_a_reason_and_not_without(worker, staff, people):
    made = propose(worker, people).json()

    silent = decide(staff, made["id"], decision="reject", reason="")
    said = decide(staff, made["id"], decision="reject", reason="已核实，无需调整")

    assert silent.status_code == 400 and "reason" in silent.json()["fields"]
    assert said.status_code == 200 and said.json()["status"] == "rejected"
    assert said.json()["decision_reason"] == "已核实，无需调整"
    assert Household.objects.get(pk=people.household.pk).tier == default_tier("yellow")


def test_a_decided_proposal_cannot_be_decided_again(worker, staff, people):
    made = propose(worker, people).json()
    decide(staff, made["id"], decision="approve")

    again = decide(staff, made["id"], decision="reject", reason="改主意了")

    assert again.status_code == 400
    assert "already been decided" in str(again.json())
    assert TierProposal.objects.get().status == ProposalStatus.APPROVED


def test_an_unknown_decision_is_refused_naming_it(worker, staff, people):
    made = propose(worker, people).json()

    response = decide(staff, made["id"], decision="maybe")

    assert response.status_code == 400 and "decision" in response.json()["fields"]


def test_a_grid_worker_may_not_decide(worker, people):
    made = propose(worker, people).json()

    assert decide(worker, made["id"], decision="approve").status_code == 403
    assert TierProposal.objects.get().status == ProposalStatus.PENDING


def test_staff_out_of_scope_get_a_404(worker, people, grid, assign):
    made = propose(worker, people).json()
    west = community_staff(username="west")
    assign(west, grid.area_west, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2020, 1, 1))

    response = decide(client_of(west), made["id"], decision="approve")

    assert response.status_code == 404
    assert TierProposal.objects.get().status == ProposalStatus.PENDING


def test_an_unknown_field_in_a_decision_is_refused_naming_it(worker, staff, people):
    made = propose(worker, people).json()

    response = decide(staff, made["id"], decision="approve", tier=1)

    assert response.status_code == 400 and "tier" in response.json()["fields"]
    assert TierProposal.objects.get().status == ProposalStatus.PENDING
