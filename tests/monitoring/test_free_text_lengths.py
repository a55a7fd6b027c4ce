"""Visit notes, tier change reasons, proposal reasons and decisions have a maximum length,
checked by the model (full_clean and the services) and said by the forms and the API with
the field and the limit: a 2,000,000-character note was saved before. Nothing is written."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from common.validators import NOTE_MAX_LENGTH, REASON_MAX_LENGTH, RECORDED_REASON_MAX_LENGTH
from monitoring.models import TierChange, TierProposal, TierScheme, Visit
from monitoring.services import change_tier, propose_tier_change, reject_proposal
from tests.households.factories import default_tier
from tests.monitoring.factories import at

pytestmark = pytest.mark.django_db
HUGE = "x" * 2_000_000  # 2 MB: under the request size Django accepts


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people.staff)
    return client


def refused(call) -> dict:
    with pytest.raises(ValidationError) as raised:
        call()
    return raised.value.message_dict


def test_the_model_refuses_visit_notes_over_the_limit(people, test_today):
    visit = Visit(
        household=people.household,
        visited_by=people.worker,
        visited_at=at(test_today, 9),
        notes="访" * (NOTE_MAX_LENGTH + 1),
    )

    assert list(refused(lambda: visit.full_clean(exclude=["household", "visited_by", "photo"]))) == ["notes"]
    visit.notes = "访" * NOTE_MAX_LENGTH
    visit.full_clean(exclude=["household", "visited_by", "photo"])


def test_the_api_refuses_huge_visit_notes_naming_the_field_and_the_limit(api, people, test_today):
    response = api.post(
        "/api/v1/visits/",
        {"household": people.household.pk, "visited_at": at(test_today, 9).isoformat(), "notes": HUGE},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["notes"]
    assert str(NOTE_MAX_LENGTH) in response.json()["fields"]["notes"][0]
    assert not Visit.objects.exists()


def test_the_visit_form_refuses_huge_notes(people, client, test_today):
    import uuid

    client.force_login(people.worker)
    response = client.post(
        reverse("monitoring:log_visit", args=[people.household.pk]),
        {
            "mode": "door",
            "visited_at": f"{test_today:%Y-%m-%d}T09:00",
            "notes": "访" * (NOTE_MAX_LENGTH + 1),
            "key": str(uuid.uuid4()),
        },
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["notes"]
    assert not Visit.objects.exists()


def test_a_tier_change_reason_over_the_limit_is_refused_by_the_service(people):
    errors = refused(
        lambda: change_tier(
            household=people.household,
            tier=default_tier("red"),
            reason="因" * (RECORDED_REASON_MAX_LENGTH + 1),
            by=people.staff,
        )
    )

    assert list(errors) == ["reason"]
    assert not TierChange.objects.filter(household=people.household).exists()


def test_the_api_refuses_a_huge_tier_change_reason_naming_the_limit(api, people):
    response = api.post(
        f"/api/v1/households/{people.household.pk}/change-tier/",
        {"tier": default_tier("red").pk, "reason": HUGE},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["reason"]
    assert str(REASON_MAX_LENGTH) in response.json()["fields"]["reason"][0]
    people.household.refresh_from_db()
    assert people.household.tier == default_tier("yellow")


def test_the_api_refuses_a_huge_first_tier_reason(api, grid):
    response = api.post(
        "/api/v1/households/",
        {
            "number": "HH-LONG",
            "building": grid.building_1.pk,
            "floor": 2,
            "room": "202",
            "tier": "green",
            "tier_reason": HUGE,
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["tier_reason"]
    assert not TierChange.objects.filter(household__number="HH-LONG").exists()


def test_a_proposal_reason_over_the_limit_is_refused_by_the_service_and_the_page(people, client):
    errors = refused(
        lambda: propose_tier_change(
            household=people.household,
            tier=default_tier("red"),
            reason="因" * (RECORDED_REASON_MAX_LENGTH + 1),
            by=people.worker,
        )
    )
    assert list(errors) == ["reason"]

    client.force_login(people.worker)
    response = client.post(
        reverse("monitoring:propose", args=[people.household.pk]),
        {"tier": default_tier("red").pk, "reason": "因" * (REASON_MAX_LENGTH + 1), "key": str(uuid.uuid4())},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reason"]
    assert not TierProposal.objects.exists()


def test_a_decision_reason_over_the_limit_is_refused_by_the_service_and_the_page(people, client):
    proposal = propose_tier_change(
        household=people.household, tier=default_tier("red"), reason="户主住院", by=people.worker
    )
    errors = refused(
        lambda: reject_proposal(proposal=proposal, by=people.staff, reason="不" * (REASON_MAX_LENGTH + 1))
    )
    assert list(errors) == ["reason"]

    client.force_login(people.staff)
    response = client.post(
        reverse("monitoring:decide", args=[proposal.pk]),
        {"decision": "reject", "reason": "不" * (REASON_MAX_LENGTH + 1)},
    )

    assert response.status_code == 400
    assert list(response.context["failed_form"].errors) == ["reason"]
    proposal.refresh_from_db()
    assert proposal.status == "pending" and proposal.decision_reason == ""


def test_the_model_refuses_a_tier_scheme_description_over_the_limit():
    scheme = TierScheme(code="long", name="长", description="述" * (NOTE_MAX_LENGTH + 1))

    assert list(refused(scheme.full_clean)) == ["description"]


def test_an_approved_proposal_of_the_longest_reason_is_recorded_whole(people):
    from monitoring.services import approve_proposal

    reason = "因" * REASON_MAX_LENGTH
    proposal = propose_tier_change(
        household=people.household, tier=default_tier("red"), reason=reason, by=people.worker
    )

    approve_proposal(proposal=proposal, by=people.staff)

    change = TierChange.objects.filter(household=people.household).latest("changed_at")
    assert change.reason.endswith(reason) and len(change.reason) > REASON_MAX_LENGTH


def test_the_longest_reasons_are_accepted(people, test_today):
    day = test_today
    change_tier(
        household=people.household, tier=default_tier("red"), reason="因" * REASON_MAX_LENGTH, by=people.staff
    )

    assert TierChange.objects.get(household=people.household, changed_at__date__gte=day).reason.startswith(
        "因"
    )
