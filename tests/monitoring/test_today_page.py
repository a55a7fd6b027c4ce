"""Today: what is due and what was missed, in the user's scope, in walking order (building,
stairwell, floor, room), each household with its head's name and room, filtered by building
or to the overdue ones."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from monitoring.followups import generate_follow_ups, mark_missed
from tests.households.factories import HouseholdFactory, MemberFactory, default_tier

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
WEDNESDAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(
        datetime.datetime(2026, 11, 25, 8, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    ):
        yield


def test_due_today_and_missed_in_scope_only_in_walking_order(grid, people, client):
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


def test_queries_do_not_grow_with_the_households_and_long_lists_are_cut(grid, people, client, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from monitoring import views

    client.force_login(people.worker)
    MemberFactory(household=HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), room="101"))
    generate_follow_ups(WEDNESDAY)
    client.get(reverse("monitoring:today"))  # the first request of a session writes the session
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("monitoring:today"))
    with CaptureQueriesContext(connection) as few_filtered:
        client.get(reverse("monitoring:today"), {"building": "B1"})
    for n in range(8):
        household = HouseholdFactory(unit=grid.floor_1_2, tier=default_tier("red"), room=f"2{n:02d}")
        MemberFactory(household=household, name=f"户主{n}")
    generate_follow_ups(WEDNESDAY)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("monitoring:today"))
    with CaptureQueriesContext(connection) as many_filtered:
        client.get(reverse("monitoring:today"), {"building": "B1"})
    assert len(many) == len(few)
    assert len(many_filtered) == len(few_filtered)
    assert len(page.context["due"]) == 9
    assert "户主7" in page.content.decode()

    monkeypatch.setattr(views, "LIST_LIMIT", 5)
    cut = client.get(reverse("monitoring:today"))
    assert len(cut.context["due"]) == 5 and cut.context["due"].total == 9
    assert "9" in cut.content.decode()


def test_each_household_shows_its_heads_name_and_room_in_the_order_of_the_stairs(grid, people, client):
    people.worker.assignments.update(unit=grid.area_east)  # buildings 1 and 2
    high = HouseholdFactory(unit=grid.floor_1_2, tier=default_tier("red"), entrance=1, floor=9, room="901")
    MemberFactory(household=high, name="李高楼")
    stair_2 = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), entrance=2, floor=1, room="101")
    MemberFactory(household=stair_2, name="赵二单元")
    low = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), entrance=1, floor=2, room="201")
    MemberFactory(household=low, name="钱二楼")
    next_door = HouseholdFactory(unit=grid.building_2, tier=default_tier("red"), floor=1, room="102")
    MemberFactory(household=next_door, name="孙二栋")
    generate_follow_ups(WEDNESDAY)
    client.force_login(people.worker)

    page = client.get(reverse("monitoring:today"))

    assert [f.household for f in page.context["due"]] == [low, high, stair_2, next_door]
    assert [f.head_name for f in page.context["due"]] == ["钱二楼", "李高楼", "赵二单元", "孙二栋"]
    text = page.content.decode()
    assert text.index("钱二楼") < text.index("李高楼") < text.index("赵二单元") < text.index("孙二栋")
    assert "1栋" in text and "2栋" in text and ">201<" not in text  # the room with its stairwell


def test_the_list_is_filtered_by_building(grid, people, client):
    people.worker.assignments.update(unit=grid.area_east)
    in_2 = HouseholdFactory(unit=grid.building_2, tier=default_tier("red"), room="202")
    in_1 = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), room="203")
    generate_follow_ups(WEDNESDAY)
    client.force_login(people.worker)

    both = client.get(reverse("monitoring:today"))
    building_2 = client.get(reverse("monitoring:today"), {"building": "B2"})
    # A building out of scope (another area's, a stale bookmark) lists the whole scope.
    elsewhere = client.get(reverse("monitoring:today"), {"building": "B3"})

    assert {f.household for f in both.context["due"]} == {in_1, in_2}
    assert [f.household for f in building_2.context["due"]] == [in_2]
    assert [b.code for b in building_2.context["filters"].fields["building"].queryset] == ["B1", "B2"]
    assert {f.household for f in elsewhere.context["due"]} == {in_1, in_2}


def test_overdue_only_lists_the_missed_ones(grid, people, client):
    red = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), room="201")
    generate_follow_ups(WEDNESDAY - datetime.timedelta(days=1))
    mark_missed(WEDNESDAY)
    generate_follow_ups(WEDNESDAY)
    client.force_login(people.worker)

    page = client.get(reverse("monitoring:today"), {"overdue": "on"})

    assert [f.household for f in page.context["missed"]] == [red]
    assert list(page.context["due"]) == [] and list(page.context["week"]) == []
    text = page.content.decode()
    assert "Due today" not in text and "今日待访</h2>" not in text
    assert 'name="overdue" class="form-check-input" id="id_overdue" checked' in text


def test_overdue_only_lists_those_still_open_past_their_day_too(grid, people, client):
    red = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), room="201")
    generate_follow_ups(WEDNESDAY - datetime.timedelta(days=1))  # and the engine has not run since
    client.force_login(people.worker)

    page = client.get(reverse("monitoring:today"), {"overdue": "on"})

    assert [f.household for f in page.context["due"]] == [red]
    assert [f.due_on for f in page.context["due"]] == [WEDNESDAY - datetime.timedelta(days=1)]
    assert list(page.context["week"]) == []


def test_every_row_carries_the_phone_scripts_markers_and_a_one_tap_door_visit(grid, people, client):
    red = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), room="201")
    generate_follow_ups(WEDNESDAY)
    client.force_login(people.worker)

    text = client.get(reverse("monitoring:today")).content.decode()

    action = reverse("monitoring:log_visit", args=[red.pk])
    assert f'data-household="{red.pk}"' in text
    assert '<span class="outbox-count" data-outbox-count hidden></span>' in text
    form = text[text.index(f'<form method="post" action="{action}"') :]
    form = form[: form.index("</form>")]
    assert f'data-outbox="visit" data-household="{red.pk}"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="hidden" name="mode" value="door">' in form
    assert '<input type="hidden" name="quick" value="1">' in form
    assert 'type="submit"' in form
    assert "{#" not in text and "{%" not in text  # no template comment leaks into the page
    keys = re.findall(r'name="key" value="([0-9a-f-]{36})"', text)
    assert len(keys) == len(set(keys)) >= 2  # a fresh key per form


def test_a_read_only_leader_sees_the_list_without_visit_buttons(grid, people, client):
    HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), room="201")
    generate_follow_ups(WEDNESDAY)
    client.force_login(people.leader)

    text = client.get(reverse("monitoring:today")).content.decode()

    assert "data-household=" in text and "data-outbox=" not in text and "data-quick-visit" not in text
