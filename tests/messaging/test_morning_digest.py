"""The morning digest: one message a day per person with something to do (today's visits
due, the misses since yesterday's digest, the cases due), never one per row; one line a
day in the inbox, the lists behind it."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from grids.models import Role
from messaging.digest import send_digests
from messaging.models import Digest, Message
from monitoring.followups import generate_follow_ups
from monitoring.models import Notification
from services.cases import open_case
from services.models import CaseCategory, ServiceCase, Urgency
from tests.grids.factories import UserFactory, grid_worker
from tests.households.factories import HouseholdFactory, default_tier
from tests.monitoring.factories import at

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
D = datetime.date
MONDAY, TUESDAY, WEDNESDAY = D(2026, 3, 9), D(2026, 3, 10), D(2026, 3, 11)


@pytest.fixture
def county(grid, assign, people):
    """Two building heads with three red households each, a grid head over the east area."""
    other = grid_worker(username="worker2", email="worker2@example.org")
    assign(other, grid.building_2, role=Role.BUILDING_HEAD, starts_on=D(2020, 1, 1))
    head = UserFactory(username="gridhead", email="")
    assign(head, grid.area_east, role=Role.GRID_HEAD, starts_on=D(2020, 1, 1))
    people.worker.email = "worker@example.org"
    people.worker.save()
    red = [HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), room=f"10{i}") for i in range(3)]
    red += [HouseholdFactory(unit=grid.building_2, tier=default_tier("red"), room=f"20{i}") for i in range(3)]
    return {"worker": people.worker, "worker2": other, "head": head, "red": red, "people": people}


def run_on(day, hour=1):
    with time_machine.travel(at(day, hour), tick=False):
        generate_follow_ups()


def digest_on(day):
    with time_machine.travel(at(day, 7), tick=False):
        return send_digests()


def sections(user, day):
    digest = Digest.objects.get(user=user, day=day)
    return {s["code"]: s["count"] for s in digest.sections}


def test_each_person_gets_one_message_with_their_visits_misses_and_cases(county):
    run_on(MONDAY)
    run_on(TUESDAY)  # Monday's six daily visits were missed
    case = open_case(
        household=county["red"][0],
        category=CaseCategory.AID_SICK,
        description="老人生病",
        urgency=Urgency.NORMAL,
        by=county["people"].staff,
        assigned_to=county["worker"],
    )
    ServiceCase.objects.filter(pk=case.pk).update(due_on=WEDNESDAY)

    written = digest_on(TUESDAY)

    # Six misses and six visits due, and nobody hears of them row by row.
    assert written == Message.objects.count() == 3
    assert sections(county["worker"], TUESDAY) == {"visits_due": 3, "missed": 3, "cases_due": 1}
    assert sections(county["worker2"], TUESDAY) == {"visits_due": 3, "missed": 3}
    assert sections(county["head"], TUESDAY) == {"missed": 6}
    assert not Notification.objects.exclude(kind="digest").exists()
    mine = next(m for m in mail.outbox if m.to == ["worker@example.org"])
    assert "3" in mine.subject and county["red"][0].number in mine.body
    assert reverse("messaging:digest", args=[Digest.objects.get(user=county["worker"]).pk]) in mine.body


def test_the_grid_head_without_an_address_has_it_in_the_inbox_only(county, client):
    run_on(MONDAY)
    run_on(TUESDAY)
    digest_on(TUESDAY)

    message = Message.objects.get(recipient=county["head"])
    assert (message.channel, message.status) == ("inapp", "sent")
    client.force_login(county["head"])
    page = client.get(reverse("monitoring:inbox")).content.decode()
    digest = Digest.objects.get(user=county["head"])
    assert reverse("messaging:digest", args=[digest.pk]) in page
    listed = client.get(reverse("messaging:digest", args=[digest.pk])).content.decode()
    assert all(h.number in listed for h in county["red"])


def test_a_second_run_on_the_same_morning_writes_and_sends_nothing_more(county):
    run_on(MONDAY)
    run_on(TUESDAY)
    digest_on(TUESDAY)
    before = (Message.objects.count(), len(mail.outbox), Notification.objects.count())

    digest_on(TUESDAY)

    assert (Message.objects.count(), len(mail.outbox), Notification.objects.count()) == before


def test_the_next_morning_tells_only_the_misses_since_the_last_digest(county):
    run_on(MONDAY)
    run_on(TUESDAY)
    digest_on(TUESDAY)
    run_on(WEDNESDAY)  # Tuesday's six were missed too: missed twice in a row

    digest_on(WEDNESDAY)

    assert sections(county["worker"], WEDNESDAY)["missed"] == 3
    assert sections(county["head"], WEDNESDAY)["missed"] == 6


def test_messages_are_never_more_than_the_people_with_something_to_do(county, grid, assign, client):
    for n in range(20):
        HouseholdFactory(unit=grid.floor_1_2, tier=default_tier("red"), room=f"3{n:02d}")
    run_on(MONDAY)
    run_on(TUESDAY)

    written = digest_on(TUESDAY)

    people = set(Digest.objects.values_list("user_id", flat=True))
    assert written == len(people) == Message.objects.filter(kind="digest").count() == 3
    assert sections(county["worker"], TUESDAY) == {"visits_due": 23, "missed": 23}
    digest = Digest.objects.get(user=county["worker"])
    assert len(digest.sections[0]["lines"]) == 10  # the first ten; the page says how many in all
    client.force_login(county["worker"])
    page = client.get(reverse("messaging:digest", args=[digest.pk]))
    assert "等，共 23 条" in page.content.decode()
    assert reverse("monitoring:today") in page.content.decode()  # the whole list of visits


def test_nobody_with_nothing_to_do_gets_a_digest(county):
    assert digest_on(TUESDAY) == 0
    assert not Message.objects.exists()
