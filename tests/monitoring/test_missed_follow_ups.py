"""A period that ends without a visit leaves a missed follow-up, and people are told."""

import datetime

import pytest
import time_machine
from django.core import mail

from grids.models import Role
from monitoring.followups import generate_follow_ups, mark_missed, send_notification_emails
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


def told(kind):
    return sorted(n.recipient.username for n in Notification.objects.filter(kind=kind))


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

    assert Notification.objects.count() == 2


def test_notifications_are_emailed_once_to_those_with_an_address(people, red):
    people["gridhead"].email = ""
    people["gridhead"].save()
    run_on(D(2026, 3, 10))
    run_on(D(2026, 3, 11))

    assert send_notification_emails() == 1
    assert send_notification_emails() == 0
    assert [m.to for m in mail.outbox] == [["floor@example.org"]]
    assert red.number in mail.outbox[0].subject


def test_a_household_with_no_worker_still_has_its_miss_recorded(grid):
    lonely = HouseholdFactory(unit=grid.building_3, tier=default_tier("red"))
    run_on(D(2026, 3, 10))
    run_on(D(2026, 3, 11))

    assert FollowUp.objects.get(household=lonely, period_start=D(2026, 3, 10)).status == "missed"
    assert not Notification.objects.exists()
