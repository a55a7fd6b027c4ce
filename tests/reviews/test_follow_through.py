"""月督促: the next month's agenda shows last month's decisions and whether each was done.

Done, by kind: keep — nothing to do; change the tier — the household is in the tier
decided; open a case — the case is closed; a measure — the person named has visited the
household since; defer — never by itself, the household comes back on the agenda."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from monitoring.models import Visit
from monitoring.services import change_tier
from reviews.agenda import Why, build_agenda
from reviews.meeting import Proposed, hold_review
from reviews.models import Decision, DecisionKind
from services.cases import change_status
from tests.households.factories import default_tier
from tests.reviews.factories import at

pytestmark = pytest.mark.django_db

OCTOBER = datetime.date(2026, 10, 1)


@pytest.fixture
def october(scene):
    """The community's October meeting, held on 28 October."""
    staff, worker = scene.people.staff, scene.people.worker
    with time_machine.travel(at(datetime.date(2026, 10, 28)), tick=True):
        agenda = build_agenda(unit=scene.grid.community, month=OCTOBER, user=staff)
        assert scene.stale.pk in agenda.rows  # stale already in October
        hold_review(
            agenda=agenda,
            by=staff,
            held_on=datetime.date(2026, 10, 28),
            attendees=[staff],
            other_attendees="",
            minutes="十月研判",
            decisions=[
                Proposed(
                    scene.stale.pk, DecisionKind.CHANGE_TIER, reason="复核", tier=default_tier("yellow")
                ),
                Proposed(scene.zero.pk, DecisionKind.OPEN_CASE, reason="申请低保", category="dibao"),
                Proposed(scene.poor.pk, DecisionKind.MEASURE, measure="送岗上门", person=worker),
                Proposed(scene.proposed.pk, DecisionKind.DEFER, reason="待核实"),
            ],
        )
    return {d.household_id: d for d in Decision.objects.all()}


def follow(scene):
    agenda = build_agenda(unit=scene.grid.community, month=scene.month, user=scene.people.staff)
    return agenda, {item.decision.household_id: item for item in agenda.follow_through}


def test_novembers_agenda_shows_octobers_decisions_and_which_are_not_done(scene, october):
    agenda, items = follow(scene)

    assert agenda.previous.month == OCTOBER
    assert {pk: item.done for pk, item in items.items()} == {
        scene.stale.pk: True,  # in yellow, as decided
        scene.zero.pk: False,  # the case is open
        scene.poor.pk: False,  # nobody has visited
        scene.proposed.pk: False,  # deferred
    }
    for pk in (scene.zero.pk, scene.poor.pk, scene.proposed.pk):
        assert Why.NOT_DONE in agenda.rows[pk].why
    # Reviewed in October: no longer stale, and its decision was carried out.
    assert scene.stale.pk not in agenda.rows


def test_a_closed_case_a_visit_by_the_person_named_make_them_done(scene, october):
    case = october[scene.zero.pk].case
    change_status(case=case, status="resolved", by=scene.people.worker, note="已办理")
    _, resolved = follow(scene)
    change_status(case=case, status="closed", by=scene.people.staff)
    Visit.objects.create(
        household=scene.poor, visited_by=scene.people.staff, visited_at=at(datetime.date(2026, 11, 2))
    )
    _, someone_else = follow(scene)
    Visit.objects.create(
        household=scene.poor, visited_by=scene.people.worker, visited_at=at(datetime.date(2026, 11, 3))
    )

    _, items = follow(scene)

    assert not resolved[scene.zero.pk].done  # resolved is not closed
    assert not someone_else[scene.poor.pk].done
    assert items[scene.zero.pk].done and items[scene.poor.pk].done


def test_a_tier_changed_again_since_is_not_as_decided(scene, october):
    change_tier(household=scene.stale, tier=default_tier("red"), reason="病重", by=scene.people.staff)

    _, items = follow(scene)

    assert not items[scene.stale.pk].done


def test_the_agenda_page_and_the_minutes_show_the_follow_through(scene, october, client):
    client.force_login(scene.people.staff)

    page = client.get(reverse("reviews:agenda"), {"unit": scene.grid.community.pk, "month": "2026-11"})
    html = page.content.decode()

    assert "data-follow-through" in html
    assert f'data-follow="{scene.stale.pk}" data-done="yes"' in html
    assert f'data-follow="{scene.poor.pk}" data-done="no"' in html
