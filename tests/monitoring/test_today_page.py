"""Today: what is due and what was missed, in the user's scope, in walking order."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from monitoring.followups import generate_follow_ups, mark_missed
from tests.households.factories import HouseholdFactory, default_tier

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
WEDNESDAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(
        datetime.datetime(2026, 11, 25, 8, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    ):
        yield


def test_due_today_and_missed_in_scope_only_worst_tier_first(grid, people, client):
    red_high = HouseholdFactory(unit=grid.floor_1_2, tier=default_tier("red"), floor=9, room="901")
    red_low = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), floor=2, room="201")
    generate_follow_ups(WEDNESDAY - datetime.timedelta(days=1))
    mark_missed(WEDNESDAY)
    generate_follow_ups(WEDNESDAY)
    client.force_login(people.worker)

    page = client.get(reverse("monitoring:today"))

    assert [f.household for f in page.context["due"]] == [red_low, red_high]
    assert {f.household for f in page.context["missed"]} == {red_low, red_high}
    # The yellow household's weekly visit is due on Sunday: listed for the week.
    assert [f.household for f in page.context["week"]] == [people.household]
    assert people.outside not in {f.household for f in page.context["due"] + page.context["missed"]}
    text = page.content.decode()
    assert "2 to visit today" in text or "今日待访" in text
    assert "张大山" not in text and people.outside.number not in text


def test_staff_see_one_workers_list(grid, people, client):
    generate_follow_ups(WEDNESDAY)
    client.force_login(people.staff)

    everyone = client.get(reverse("monitoring:today"))
    one = client.get(reverse("monitoring:today"), {"worker": people.worker.pk})

    assert people.worker in everyone.context["workers"]
    assert {f.household for f in everyone.context["week"]} >= {people.household}
    assert all(f.assignee == people.worker for f in one.context["due"] + one.context["week"])
    assert client.get(reverse("monitoring:today"), {"worker": people.leader.pk}).status_code == 404


def test_workers_cannot_pick_another_workers_list(people, client):
    client.force_login(people.worker)

    page = client.get(reverse("monitoring:today"), {"worker": people.staff.pk})

    assert page.context["workers"] is None


def test_queries_do_not_grow_with_the_list_and_long_lists_are_cut(grid, people, client, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from monitoring import views

    client.force_login(people.worker)
    HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), room="101")
    generate_follow_ups(WEDNESDAY)
    client.get(reverse("monitoring:today"))  # the first request of a session writes the session
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("monitoring:today"))
    for n in range(8):
        HouseholdFactory(unit=grid.floor_1_2, tier=default_tier("red"), room=f"2{n:02d}")
    generate_follow_ups(WEDNESDAY)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("monitoring:today"))
    assert len(many) == len(few)
    assert len(page.context["due"]) == 9

    monkeypatch.setattr(views, "LIST_LIMIT", 5)
    cut = client.get(reverse("monitoring:today"))
    assert len(cut.context["due"]) == 5 and cut.context["due"].total == 9
    assert "9" in cut.content.decode()
