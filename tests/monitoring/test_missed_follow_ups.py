"""A period that ends without a visit leaves a missed follow-up, and people are told: in
their next morning digest, one message a person (issue 18), no longer a notification per
missed follow-up (100,000 of them in one run for a county)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from grids.models import Role
from messaging.digest import send_digests
from messaging.models import Digest, Message
from monitoring.followups import generate_follow_ups, mark_missed
from monitoring.models import FollowUp, Notification
from tests.grids.factories import UserFactory
from tests.households.factories import HouseholdFactory, default_tier
from tests.monitoring.factories import at

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
D = datetime.date
SINCE = D(2025, 1, 1)


@pytest.fixture
def people(grid, assign):
    p = {
        name: UserFactory(username=name, email=f"{name}@example.org")
        for name in ["floor", "gridhead", "staff", "street"]
    }
    assign(p["floor"], grid.floor_1_1, role=Role.FLOOR_HEAD, starts_on=SINCE)
    assign(p["gridhead"], grid.area_east, role=Role.GRID_HEAD, starts_on=SINCE)
    assign(p["staff"], grid.community, role=Role.COMMUNITY_STAFF, starts_on=SINCE)
    assign(p["street"], grid.street, role=Role.COMMUNITY_STAFF, starts_on=SINCE)
    return p


@pytest.fixture
def red(grid):
    return HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"))


def run_on(day):
    with time_machine.travel(at(day, 1), tick=False):
        generate_follow_ups()


SECTIONS = {"missed": "missed", "escalated": "missed_again"}


def told(kind, day=None):
    """Who the morning digest (at 07:00 on ``day``: the last run's day) tells of a miss."""
    last_run = FollowUp.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
    day = day or timezone.localdate(last_run)
    with time_machine.travel(at(day, 7), tick=False):
        send_digests()
    return sorted(
        d.user.username
        for d in Digest.objects.filter(day=day)
        if any(s["code"] == SECTIONS[kind] for s in d.sections)
    )


def test_a_missed_visit_is_kept_and_the_assignee_and_grid_head_are_told(people, red):
    run_on(D(2026, 3, 10))
    run_on(D(2026, 3, 11))

    statuses = dict(FollowUp.objects.filter(household=red).values_list("period_start", "status"))
    assert statuses == {D(2026, 3, 10): "missed", D(2026, 3, 11): "open"}
    assert told("missed") == ["floor", "gridhead"]
    assert told("escalated") == []


def test_missed_again_escalates_to_the_unit_above(people, red):
    for day in [10, 11, 12]:
        run_on(D(2026, 3, day))

    assert told("escalated") == ["staff"]  # the 11th was missed after the 10th was


def test_running_twice_tells_nobody_twice(people, red):
    run_on(D(2026, 3, 10))
    run_on(D(2026, 3, 11))

    with time_machine.travel(at(D(2026, 3, 11), 2), tick=False):
        assert mark_missed() == 0
        generate_follow_ups()
    told("missed", D(2026, 3, 11))
    told("missed", D(2026, 3, 11))

    assert Message.objects.count() == 2  # the floor head's digest, and the grid head's
    assert not Notification.objects.exclude(kind="digest").exists()


def test_the_digest_is_emailed_once_to_those_with_an_address(people, red):
    people["gridhead"].email = ""
    people["gridhead"].save()
    run_on(D(2026, 3, 10))
    run_on(D(2026, 3, 11))

    told("missed", D(2026, 3, 11))
    told("missed", D(2026, 3, 11))

    assert [m.to for m in mail.outbox] == [["floor@example.org"]]
    assert red.number in mail.outbox[0].body
    # The grid head, without an address, has it in the inbox.
    assert Notification.objects.get(recipient=people["gridhead"]).kind == "digest"


def test_a_household_with_no_worker_still_has_its_miss_recorded(grid):
    lonely = HouseholdFactory(unit=grid.building_3, tier=default_tier("red"))
    run_on(D(2026, 3, 10))
    run_on(D(2026, 3, 11))

    assert FollowUp.objects.get(household=lonely, period_start=D(2026, 3, 10)).status == "missed"
    assert not Notification.objects.exists()
