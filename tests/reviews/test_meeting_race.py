"""Two people record the same meeting at the same moment (two desktops in the meeting
room): the unit's row is locked, the second finds the first's review, and a decision the
first carried out is refused to the second, which saves nothing."""

import datetime

import pytest
from django.db import connection

from monitoring.models import TierChange
from reviews.agenda import build_agenda
from reviews.meeting import MeetingRefused, Proposed, hold_review
from reviews.models import Decision, DecisionKind, Review
from tests.concurrency import at_once
from tests.households.factories import default_tier

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers: no second writer can wait"
    ),
]


def test_the_same_meeting_recorded_twice_at_once_makes_one_review_and_one_tier_change(scene):
    staff = scene.people.staff
    agendas = [build_agenda(unit=scene.grid.community, month=scene.month, user=staff) for _ in range(2)]

    def record():
        return hold_review(
            agenda=agendas.pop(),
            by=staff,
            held_on=datetime.date(2026, 11, 25),
            attendees=[staff],
            other_attendees="",
            minutes="",
            decisions=[
                Proposed(
                    scene.zero.pk, DecisionKind.CHANGE_TIER, reason="零就业", tier=default_tier("yellow")
                ),
                Proposed(
                    scene.proposed.pk, DecisionKind.CHANGE_TIER, reason="同意", tier=default_tier("red")
                ),
            ],
        )

    outcomes = at_once(record)

    assert sorted(type(o).__name__ for o in outcomes) == ["MeetingRefused", "Review"]
    refused = next(o for o in outcomes if isinstance(o, MeetingRefused))
    assert set(refused.errors) == {scene.zero.pk, scene.proposed.pk}
    assert Review.objects.count() == 1 and Decision.objects.count() == 2
    assert TierChange.objects.filter(household=scene.zero, to_tier=default_tier("yellow")).count() == 1
    assert TierChange.objects.filter(household=scene.proposed, to_tier=default_tier("red")).count() == 1
