"""The one-tap door visit on Today: a door visit saved now, with no needs, the follow-up
done, back on the list the worker is walking; once for one form however often it is sent;
refused with the reason where a full visit would be."""

import datetime
import uuid

import pytest
import time_machine
from django.urls import reverse

from households.models import HouseholdStatus
from monitoring.followups import generate_follow_ups
from monitoring.models import FollowUp, FollowUpStatus, Visit
from tests.households.factories import HouseholdFactory, default_tier

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
CST = datetime.timezone(datetime.timedelta(hours=8))
MOMENT = datetime.datetime(2026, 11, 25, 9, 41, 7, tzinfo=CST)


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(MOMENT, tick=False):
        yield


@pytest.fixture
def red(grid):
    household = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), room="201")
    generate_follow_ups(MOMENT.date())
    return household


def quick(household, **fields):
    return {"mode": "door", "key": str(uuid.uuid4()), "quick": "1", **fields}


def test_a_quick_visit_is_a_door_visit_now_with_no_needs_and_the_follow_up_done(red, people, client):
    client.cookies["django_language"] = "en"
    client.force_login(people.worker)

    response = client.post(reverse("monitoring:log_visit", args=[red.pk]), quick(red))

    assert response.status_code == 302 and response["Location"] == reverse("monitoring:today")
    visit = Visit.objects.get(household=red)
    assert (visit.mode, visit.needs, visit.notes, visit.visited_by) == ("door", [], "", people.worker)
    assert visit.visited_at == MOMENT
    assert FollowUp.objects.get(household=red).status == FollowUpStatus.DONE
    page = client.get(response["Location"])
    assert "Door visit saved: 1栋 1-201." in page.content.decode()
    assert red not in {f.household for f in page.context["due"]}


def test_a_quick_visit_sent_with_the_phones_time_keeps_that_time(red, people, client):
    client.force_login(people.worker)
    tapped = "2026-11-25T08:15:30"

    client.post(reverse("monitoring:log_visit", args=[red.pk]), quick(red, visited_at=tapped))

    visit = Visit.objects.get(household=red)
    assert visit.visited_at == datetime.datetime(2026, 11, 25, 8, 15, 30, tzinfo=CST)


def test_back_on_today_with_the_filters_the_worker_had(red, people, client):
    client.force_login(people.worker)
    today = reverse("monitoring:today")

    filtered = client.post(
        reverse("monitoring:log_visit", args=[red.pk]),
        quick(red),
        headers={"Referer": f"http://testserver{today}?building=B1&overdue=on"},
    )
    elsewhere = client.post(
        reverse("monitoring:log_visit", args=[red.pk]),
        quick(red),
        headers={"Referer": "https://evil.example/"},
    )

    assert filtered["Location"] == f"{today}?building=B1&overdue=on"
    assert elsewhere["Location"] == today


def test_the_same_quick_visit_sent_twice_is_saved_once(red, people, client):
    client.force_login(people.worker)
    form = quick(red)

    first = client.post(reverse("monitoring:log_visit", args=[red.pk]), form)
    second = client.post(reverse("monitoring:log_visit", args=[red.pk]), form)

    assert first.status_code == second.status_code == 302
    assert Visit.objects.filter(household=red).count() == 1


def test_a_quick_visit_to_a_household_that_moved_out_is_refused_naming_the_reason(red, people, client):
    client.cookies["django_language"] = "en"
    client.force_login(people.worker)
    red.status = HouseholdStatus.MOVED_OUT
    red.moved_out_on = MOMENT.date()
    red.save()

    response = client.post(reverse("monitoring:log_visit", args=[red.pk]), quick(red))

    assert response.status_code == 200
    assert "no longer followed up" in response.content.decode()
    assert not Visit.objects.filter(household=red).exists()


def test_a_leader_may_not_and_a_household_out_of_scope_is_not_found(red, people, client):
    client.force_login(people.leader)
    assert client.post(reverse("monitoring:log_visit", args=[red.pk]), quick(red)).status_code == 403
    client.force_login(people.worker)
    outside = people.outside
    assert client.post(reverse("monitoring:log_visit", args=[outside.pk]), quick(outside)).status_code == 404
    assert not Visit.objects.exists()
