"""Each change writes its event in its own transaction: rolled back with it, never sent
for a change that did not happen; and each event names ids, codes and times only."""

import datetime
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction

from households.models import Household
from monitoring.followups import generate_follow_ups, mark_missed
from monitoring.models import TierScheme
from monitoring.services import (
    approve_proposal,
    change_tier,
    propose_tier_change,
    reject_proposal,
    switch_tier_scheme,
)
from services.cases import change_status, open_case
from services.deadlines import check_case_deadlines
from services.door_cards import ask_for_help, issue_door_card
from tests.households.factories import default_tier
from tests.monitoring.factories import at
from tests.webhooks.factories import webhook
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db
NOWHERE = "http://127.0.0.1:9/hooks"


@pytest.fixture
def listening(grid):
    return webhook(grid.county, NOWHERE)


def events():
    return [(e.type, e.unit.code, e.data) for e in Event.objects.order_by("pk")]


def test_the_event_is_rolled_back_with_its_change(people, listening):
    with pytest.raises(RuntimeError), transaction.atomic():
        change_tier(household=people.household, tier=default_tier("red"), reason="失业", by=people.staff)
        assert Event.objects.count() == 1
        raise RuntimeError("the rest of the request failed")

    assert Event.objects.count() == 0 and Delivery.objects.count() == 0
    assert Household.objects.get(pk=people.household.pk).tier.code == "yellow"


def test_a_refused_change_writes_no_event(people, listening):
    with pytest.raises(ValidationError):
        change_tier(household=people.household, tier=default_tier("red"), reason=" ", by=people.staff)

    assert Event.objects.count() == 0


def test_nothing_is_written_while_no_webhook_listens(people):
    change_tier(household=people.household, tier=default_tier("red"), reason="失业", by=people.staff)

    assert Event.objects.count() == 0


def test_a_proposal_made_then_approved_then_another_rejected(people, listening):
    first = propose_tier_change(
        household=people.household, tier=default_tier("red"), reason="失业", by=people.worker
    )
    approve_proposal(proposal=first, by=people.staff)
    second = propose_tier_change(
        household=people.household, tier=default_tier("green"), reason="就业", by=people.worker
    )
    reject_proposal(proposal=second, by=people.staff, reason="再观察")

    kinds = [(kind, data.get("proposal"), data.get("status")) for kind, _, data in events()]
    assert kinds == [
        ("proposal.made", first.pk, "pending"),
        ("tier.changed", None, None),
        ("proposal.decided", first.pk, "approved"),
        ("proposal.made", second.pk, "pending"),
        ("proposal.decided", second.pk, "rejected"),
    ]
    decided = events()[2][2]
    assert decided["from_tier"] == "yellow" and decided["to_tier"] == "red" and decided["tier_change"]


def test_a_missed_follow_up(people, listening):
    with time_machine.travel(at(datetime.date(2026, 3, 10), 1), tick=False):
        generate_follow_ups()
    with time_machine.travel(at(datetime.date(2026, 5, 10), 1), tick=False):
        missed = mark_missed()

    sent = [(kind, unit, data["household"]) for kind, unit, data in events()]
    assert missed >= 1 and sent.count(("follow_up.missed", "B1F1", people.household.pk)) >= 1
    assert len(sent) == missed
    data = events()[0][2]
    assert set(data) == {"follow_up", "household", "tier", "period_start", "period_end", "due_on"}


def test_a_case_opened_escalated_and_closed(people, listening):
    case = open_case(
        household=people.household,
        category="dispute",
        description="漏水 13800138000",
        urgency="normal",
        by=people.worker,
    )
    check_case_deadlines(case.due_on + datetime.timedelta(days=1))
    change_status(case=case, status="resolved", by=people.worker, note="修好了")
    change_status(case=case, status="closed", by=people.staff)

    sent = [(kind, data["case"], data["status"], data["level"]) for kind, _, data in events()]
    assert sent == [
        ("case.opened", case.pk, "open", "building"),
        ("case.escalated", case.pk, "open", "community"),
        ("case.closed", case.pk, "closed", "community"),
    ]
    assert "13800138000" not in json.dumps([e[2] for e in events()])


def test_a_help_request_from_a_door_card_says_whether_it_opened_a_case(people, listening):
    card = issue_door_card(household=people.household, by=people.staff)

    case = ask_for_help(card=card, kind="health", phone="13800138000", text="腿疼")
    ask_for_help(card=card, kind="health", phone="13800138000", text="还疼", new_case=False)

    sent = [(kind, data["case"], data.get("new_case")) for kind, _, data in events()]
    assert sent == [
        ("case.opened", case.pk, None),
        ("help_request.received", case.pk, True),
        ("help_request.received", case.pk, False),
    ]
    assert "13800138000" not in json.dumps([e[2] for e in events()])
    assert "腿疼" not in json.dumps([e[2] for e in events()])


def test_a_new_tier_scheme_sends_each_households_tier_change(people, grid, listening):
    four = TierScheme.objects.get(code="four-colour")

    moved = switch_tier_scheme(unit=grid.community, scheme=four, reason="改用四色", by=people.staff)

    sent = [(kind, data["household"]) for kind, _, data in events()]
    assert len(sent) == moved >= 1 and ("tier.changed", people.household.pk) in sent
