"""A grid worker proposes a tier change; community staff approve or reject it."""

import uuid

import pytest
from django.urls import reverse

from monitoring.models import Notification, NotificationKind, ProposalStatus, TierChange, TierProposal
from tests.households.factories import default_tier

pytestmark = pytest.mark.django_db


def propose(client, people, tier="red", reason="户主住院"):
    client.force_login(people.worker)
    return client.post(
        reverse("monitoring:propose", args=[people.household.pk]),
        {"tier": default_tier(tier).pk, "reason": reason, "key": str(uuid.uuid4())},
    )


def test_approval_changes_the_tier_with_proposer_and_approver_recorded(people, client):
    propose(client, people)
    proposal = TierProposal.objects.get()
    client.force_login(people.staff)

    queue = client.get(reverse("monitoring:proposals"))
    response = client.post(reverse("monitoring:decide", args=[proposal.pk]), {"decision": "approve"})

    assert proposal in queue.context["pending"]
    assert response.status_code == 302
    proposal.refresh_from_db()
    people.household.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED and proposal.decided_by == people.staff
    assert people.household.tier == default_tier("red")
    change = TierChange.objects.get(household=people.household, to_tier=default_tier("red"))
    assert change.changed_by == people.staff and proposal.tier_change == change
    assert people.worker.last_name in change.reason
    # Raised to red: due today under the daily cadence.
    assert people.household.follow_ups.filter(status="open", tier=default_tier("red")).exists()
    assert Notification.objects.filter(
        recipient=people.worker, kind=NotificationKind.PROPOSAL_APPROVED
    ).exists()


def test_rejection_needs_a_reason_which_the_proposer_sees(people, client):
    propose(client, people)
    proposal = TierProposal.objects.get()
    client.force_login(people.staff)

    refused = client.post(
        reverse("monitoring:decide", args=[proposal.pk]), {"decision": "reject", "reason": ""}
    )
    done = client.post(
        reverse("monitoring:decide", args=[proposal.pk]), {"decision": "reject", "reason": "已有家属照看"}
    )

    assert refused.status_code == 400
    assert done.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    client.force_login(people.worker)
    inbox = client.get(reverse("monitoring:inbox")).content.decode()
    assert "已有家属照看" in inbox
    people.household.refresh_from_db()
    assert people.household.tier == default_tier("yellow")


def test_a_grid_worker_cannot_decide_and_staff_cannot_decide_twice(people, client):
    propose(client, people)
    proposal = TierProposal.objects.get()

    assert client.get(reverse("monitoring:proposals")).status_code == 403
    assert (
        client.post(reverse("monitoring:decide", args=[proposal.pk]), {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(people.staff)
    client.post(reverse("monitoring:decide", args=[proposal.pk]), {"decision": "approve"})
    twice = client.post(reverse("monitoring:decide", args=[proposal.pk]), {"decision": "approve"})
    assert twice.status_code == 404 or twice.status_code == 400
    assert TierChange.objects.filter(to_tier=default_tier("red")).count() == 1


def test_a_second_proposal_waits_for_the_first(people, client):
    propose(client, people)
    second = propose(client, people, tier="green", reason="好转")

    assert second.status_code == 200
    assert "tier" in second.context["form"].errors
    assert TierProposal.objects.count() == 1


def test_proposals_outside_scope_do_not_exist(people, client, grid, assign):
    from grids.models import Role
    from tests.grids.factories import community_staff

    propose(client, people)
    proposal = TierProposal.objects.get()
    other = community_staff(username="elsewhere")
    assign(other, grid.area_west, role=Role.COMMUNITY_STAFF)
    client.force_login(other)

    assert list(client.get(reverse("monitoring:proposals")).context["pending"]) == []
    assert (
        client.post(reverse("monitoring:decide", args=[proposal.pk]), {"decision": "approve"}).status_code
        == 404
    )
    client.force_login(people.worker)
    assert client.get(reverse("monitoring:propose", args=[people.outside.pk])).status_code == 404


def test_the_review_button_says_how_many_proposals_wait_in_scope(people, client):
    from monitoring.services import send_proposal

    send_proposal(
        household=people.household,
        tier=default_tier("red"),
        reason="住院",
        by=people.worker,
        key=uuid.uuid4(),
    )
    client.force_login(people.staff)
    staff_html = client.get(reverse("monitoring:today")).content.decode()
    client.force_login(people.worker)
    worker_html = client.get(reverse("monitoring:today")).content.decode()

    assert '<span class="badge text-bg-warning" data-proposals-waiting>1</span>' in staff_html
    assert "data-proposals-waiting" not in worker_html  # grid workers do not decide
