"""The meeting decides in bulk from the agenda page; each decision goes through the
service its own page uses, all of them or none."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from monitoring.models import ProposalStatus, TierChange, TierProposal
from reviews.agenda import build_agenda
from reviews.meeting import MeetingRefused, Proposed, hold_review
from reviews.models import Decision, DecisionKind, Review
from services.models import ServiceCase
from tests.grids.factories import UserFactory
from tests.households.factories import default_tier

pytestmark = pytest.mark.django_db

AGENDA = reverse("reviews:agenda")


def query(scene):
    return f"{AGENDA}?unit={scene.grid.community.pk}&month=2026-11"


def post(client, scene, rows: dict, **meeting):
    """The agenda page's form: the meeting's fields and a decision per household."""
    data = {
        "held_on": "2026-11-25",
        "attendees": [scene.people.staff.pk],
        "other_attendees": "居民代表 张三",
        "minutes": "研判本月重点户。",
        "rows": ",".join(str(h.pk) for h in rows),
        **meeting,
    }
    for household, fields in rows.items():
        for name, value in fields.items():
            data[f"h{household.pk}-{name}"] = value
    return client.post(query(scene), data)


def test_staff_decide_in_bulk_and_each_decision_is_written_through_its_service(scene, client):
    client.force_login(scene.people.staff)

    response = post(
        client,
        scene,
        {
            scene.stale: {"kind": "keep"},
            scene.zero: {
                "kind": "change_tier",
                "tier": default_tier("yellow").pk,
                "reason": "零就业，需周跟踪",
            },
            scene.late: {
                "kind": "open_case",
                "category": "aid_elderly",
                "reason": "老人独居需助老",
                "urgency": "urgent",
            },
            scene.poor: {
                "kind": "measure",
                "measure": "送岗上门：保洁岗位",
                "person": scene.people.worker.pk,
            },
            scene.missed: {"kind": "defer", "reason": "等网格员回访"},
            scene.warned: {},  # no decision: left for later
        },
    )

    assert response.status_code == 302
    review = Review.objects.get(unit=scene.grid.community, month=datetime.date(2026, 11, 1))
    assert review.recorded_by == scene.people.staff and list(review.attendees.all()) == [scene.people.staff]
    assert review.other_attendees == "居民代表 张三" and review.minutes == "研判本月重点户。"
    decisions = {d.household_id: d for d in review.decisions.all()}
    assert set(decisions) == {scene.stale.pk, scene.zero.pk, scene.late.pk, scene.poor.pk, scene.missed.pk}
    change = TierChange.objects.get(household=scene.zero, to_tier=default_tier("yellow"))
    assert decisions[scene.zero.pk].tier_change == change and "零就业" in change.reason
    assert change.changed_by == scene.people.staff
    scene.zero.refresh_from_db()
    assert scene.zero.tier == default_tier("yellow")
    case = decisions[scene.late.pk].case
    assert (
        case.category == "aid_elderly" and case.urgency == "urgent" and case.opened_by == scene.people.staff
    )
    assert decisions[scene.poor.pk].person == scene.people.worker
    assert decisions[scene.poor.pk].measure == "送岗上门：保洁岗位"
    assert decisions[scene.zero.pk].facts  # the agenda's line, as it stood
    # The page after the meeting shows what was decided beside each household.
    page = client.get(query(scene))
    assert page.content.decode().count("data-decided") == 5
    # Off the agenda's rules now (reviewed), still there with why it was.
    stale = next(row for row in page.context["rows"] if row.household_id == scene.stale.pk)
    assert not stale.why and stale.facts == decisions[scene.stale.pk].facts != ""


def test_changing_to_the_proposed_tier_approves_the_proposal(scene, client):
    client.force_login(scene.people.staff)

    post(
        client,
        scene,
        {scene.proposed: {"kind": "change_tier", "tier": default_tier("red").pk, "reason": "同意"}},
    )

    scene.proposal.refresh_from_db()
    assert (
        scene.proposal.status == ProposalStatus.APPROVED and scene.proposal.decided_by == scene.people.staff
    )
    decision = Decision.objects.get(household=scene.proposed)
    assert decision.proposal == scene.proposal and decision.tier_change == scene.proposal.tier_change


def test_keeping_the_tier_rejects_the_proposal_with_a_reason_the_proposer_sees(scene, client):
    client.force_login(scene.people.staff)

    post(client, scene, {scene.proposed: {"kind": "keep"}})

    scene.proposal.refresh_from_db()
    assert scene.proposal.status == ProposalStatus.REJECTED
    assert "2026-11" in scene.proposal.decision_reason
    scene.proposed.refresh_from_db()
    assert scene.proposed.tier == default_tier("yellow")


def test_another_tier_than_proposed_rejects_the_proposal_and_changes_to_the_one_decided(scene, client):
    client.force_login(scene.people.staff)

    post(
        client,
        scene,
        {scene.proposed: {"kind": "change_tier", "tier": default_tier("green").pk, "reason": "已就业"}},
    )

    scene.proposal.refresh_from_db()
    scene.proposed.refresh_from_db()
    assert scene.proposal.status == ProposalStatus.REJECTED
    assert scene.proposed.tier == default_tier("green")


def test_a_bad_row_refuses_the_whole_meeting_and_says_why_beside_it(scene, client):
    client.force_login(scene.people.staff)

    response = post(
        client,
        scene,
        {
            scene.zero: {"kind": "change_tier", "tier": default_tier("yellow").pk, "reason": "零就业"},
            scene.poor: {"kind": "measure", "measure": "送岗上门"},  # nobody named
            scene.late: {"kind": "change_tier", "reason": "无"},  # no tier
        },
    )

    assert response.status_code == 400
    rows = {row.household_id: row.form for row in response.context["rows"]}
    assert "person" in rows[scene.poor.pk].errors and "tier" in rows[scene.late.pk].errors
    assert not rows[scene.zero.pk].errors
    assert not Review.objects.exists() and not Decision.objects.exists()
    assert not TierChange.objects.filter(household=scene.zero).exists()


def test_a_refusal_by_a_service_undoes_the_rows_before_it(scene):
    agenda = build_agenda(unit=scene.grid.community, month=scene.month, user=scene.people.staff)
    # Decided on the proposals page while the meeting sat: the meeting's answer comes too late.
    from monitoring.services import reject_proposal

    reject_proposal(proposal=scene.proposal, by=scene.people.staff, reason="不符合条件")

    with pytest.raises(MeetingRefused) as refused:
        hold_review(
            agenda=agenda,
            by=scene.people.staff,
            held_on=datetime.date(2026, 11, 25),
            attendees=[],
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

    assert set(refused.value.errors) == {scene.proposed.pk}
    assert not Review.objects.exists() and not Decision.objects.exists()
    assert not TierChange.objects.filter(household=scene.zero, to_tier=default_tier("yellow")).exists()


def test_a_case_without_a_description_is_refused_beside_its_row(scene, client):
    client.force_login(scene.people.staff)

    response = post(client, scene, {scene.late: {"kind": "open_case", "category": "dibao"}})

    assert response.status_code == 400
    row = next(r for r in response.context["rows"] if r.household_id == scene.late.pk)
    assert "reason" in row.form.errors
    assert ServiceCase.objects.filter(household=scene.late).count() == 1  # the one it had


def test_ticked_rows_take_the_bulk_decision_and_rows_with_their_own_keep_it(scene, client):
    client.force_login(scene.people.staff)

    post(
        client,
        scene,
        {
            scene.stale: {"pick": "on"},
            scene.poor: {"pick": "on"},
            scene.zero: {"pick": "on", "kind": "defer"},
            scene.warned: {},
        },
        bulk_kind="keep",
    )

    kinds = dict(Decision.objects.values_list("household_id", "kind"))
    assert kinds == {scene.stale.pk: "keep", scene.poor.pk: "keep", scene.zero.pk: "defer"}


def test_a_correction_is_a_new_decision_and_the_first_stays(scene, client):
    client.force_login(scene.people.staff)
    post(client, scene, {scene.stale: {"kind": "defer"}})

    response = post(
        client, scene, {scene.stale: {"kind": "keep", "reason": "复核后维持"}}, minutes="第二次记录"
    )

    assert response.status_code == 302
    first, second = Decision.objects.order_by("id")
    assert (first.kind, second.kind) == ("defer", "keep") and second.corrects == first
    assert Review.objects.get().minutes == "第二次记录"
    with pytest.raises(ValidationError):
        first.save()


def test_a_tier_decided_twice_is_refused_the_second_time(scene, client):
    client.force_login(scene.people.staff)
    decide = {scene.zero: {"kind": "change_tier", "tier": default_tier("yellow").pk, "reason": "零就业"}}
    post(client, scene, decide)

    response = post(client, scene, decide)

    assert response.status_code == 400
    assert TierChange.objects.filter(household=scene.zero, to_tier=default_tier("yellow")).count() == 1


def test_a_household_not_on_the_agenda_cannot_be_decided(scene, client):
    client.force_login(scene.people.staff)

    response = post(client, scene, {scene.calm: {"kind": "keep"}, scene.people.outside: {"kind": "keep"}})

    assert response.status_code == 400
    assert not Decision.objects.exists()


def test_a_meeting_in_the_future_is_refused(scene, client):
    client.force_login(scene.people.staff)

    response = post(client, scene, {scene.stale: {"kind": "keep"}}, held_on="2026-12-01")

    assert response.status_code == 400 and "held_on" in response.context["meeting"].errors
    assert not Review.objects.exists()


def test_leaders_read_the_agenda_but_cannot_record_a_meeting(scene, client):
    client.force_login(scene.people.leader)

    page = client.get(query(scene))
    refused = post(client, scene, {scene.stale: {"kind": "keep"}})

    assert page.status_code == 200 and "data-record" not in page.content.decode()
    assert refused.status_code == 403
    assert not Review.objects.exists()


def test_staff_without_the_right_to_change_tiers_are_refused_that_row(scene, client):
    clerk = UserFactory(username="clerk")
    from django.contrib.auth.models import Permission

    clerk.user_permissions.set(
        Permission.objects.filter(content_type__app_label="reviews")
        | Permission.objects.filter(codename="view_all_units")
    )
    client.force_login(clerk)

    response = post(
        client, scene, {scene.zero: {"kind": "change_tier", "tier": default_tier("yellow").pk, "reason": "x"}}
    )

    assert response.status_code == 400
    assert not TierChange.objects.filter(household=scene.zero, to_tier=default_tier("yellow")).exists()
    assert not TierProposal.objects.filter(household=scene.zero).exists()


def test_a_measure_goes_only_to_someone_responsible_for_the_household(scene, client):
    client.force_login(scene.people.staff)
    # The worker looks after building 1; the escalated household lives in building 3.
    response = post(
        client,
        scene,
        {scene.escalated: {"kind": "measure", "measure": "调解", "person": scene.people.worker.pk}},
    )

    assert response.status_code == 400
    row = next(r for r in response.context["rows"] if r.household_id == scene.escalated.pk)
    assert "person" in row.form.errors
    assert str(scene.people.worker.pk) not in dict(row.form.options["person"])
    assert not Decision.objects.exists()
