"""Finding a household from Today as people name it: "2-202", "2栋202", its number, its
head's name. POSTed, so that a name never reaches a URL, a browser history or a log; only
households in the user's scope are found."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from audit.models import Action, AuditEvent, Outcome
from tests.households.factories import HouseholdFactory, MemberFactory, default_tier

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
TODAY = reverse("monitoring:today")


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(
        datetime.datetime(2026, 11, 25, 8, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    ):
        yield


@pytest.fixture
def homes(grid, people):
    people.worker.assignments.update(unit=grid.area_east)  # buildings 1 and 2
    h = {
        "b2": HouseholdFactory(unit=grid.building_2, tier=default_tier("red"), entrance=1, room="202"),
        "b1_e2": HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), entrance=2, room="202"),
        "b1_e1": HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), entrance=1, room="202"),
    }
    MemberFactory(household=h["b2"], name="欧阳明月")
    return h


def found(client, query):
    page = client.post(TODAY, {"query": query})
    assert page.status_code == 200
    return page.context["found"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("2栋202", {"b2"}),
        ("2栋1单元202", {"b2"}),
        ("2-1-202", {"b2"}),
        ("1-2-202", {"b1_e2"}),
        # Building 2 to most people, stairwell 2 as the card writes a room ("2-202").
        ("2-202", {"b2", "b1_e2"}),
        ("202", {"b2", "b1_e2", "b1_e1"}),
    ],
)
def test_a_room_is_found_as_people_write_it(homes, people, client, query, expected):
    client.force_login(people.worker)

    assert {h.pk for h in found(client, query)} == {homes[name].pk for name in expected}


def test_a_household_is_found_by_its_number_and_its_heads_name_shown(homes, people, client):
    client.force_login(people.worker)

    [household] = found(client, homes["b2"].number)

    assert household == homes["b2"] and household.head_name == "欧阳明月"


def test_a_head_is_found_by_name_and_the_name_stays_out_of_the_url(homes, people, client):
    client.force_login(people.worker)

    page = client.post(TODAY, {"query": "欧阳"})

    assert [h.pk for h in page.context["found"]] == [homes["b2"].pk]
    text = page.content.decode()
    assert '<form method="post" class="mb-2" data-find>' in text
    assert "?query=" not in text and "query=%E6" not in text
    # The result carries the row markers and the one-tap door visit, as Today's rows do.
    assert f'data-outbox="visit" data-household="{homes["b2"].pk}"' in text


def test_households_outside_the_scope_are_not_found(homes, people, client):
    client.force_login(people.worker)

    assert found(client, "张大山") == [] and found(client, "3栋302") == []
    assert "您的网格内没有匹配的住户。" in client.post(TODAY, {"query": "张大山"}).content.decode()


def test_a_search_by_a_full_id_number_is_refused_to_a_worker_naming_the_field(homes, people, client):
    client.cookies["django_language"] = "en"
    client.force_login(people.worker)
    number = people.household.members.get().id_number

    page = client.post(TODAY, {"query": number})

    assert page.context["found"] is None
    assert "You may not search by a full resident ID number" in str(page.context["search"].errors["query"])
    assert number not in page.content.decode()
    assert AuditEvent.objects.get(action=Action.SEARCHED).outcome == Outcome.REFUSED


def test_an_empty_search_says_what_is_missing_and_still_shows_the_list(homes, people, client):
    client.cookies["django_language"] = "en"
    client.force_login(people.worker)

    page = client.post(TODAY, {"query": "  "})

    assert page.context["found"] is None
    assert "This field is required." in str(page.context["search"].errors["query"])
    assert "Due today" in page.content.decode()


def test_the_searchs_queries_do_not_grow_with_the_households_found(homes, people, client, grid):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.worker)
    client.get(TODAY)  # the first request of a session writes the session
    with CaptureQueriesContext(connection) as one:
        assert len(found(client, "欧阳")) == 1
    for n in range(8):
        MemberFactory(household=HouseholdFactory(unit=grid.building_2, room=f"3{n:02d}"), name=f"欧阳{n}")
    with CaptureQueriesContext(connection) as nine:
        assert len(found(client, "欧阳")) == 9
    assert len(nine) == len(one)
