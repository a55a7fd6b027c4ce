"""Searching by ID or phone number: audited by kind (never the number), and refused by ID
to a role that cannot see full ID numbers."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent, Outcome
from tests.grids.factories import administrator
from tests.households.factories import MemberFactory

pytestmark = pytest.mark.django_db
ADMIN_FIND = reverse("admin:households_household_find")
FIND = reverse("households:find")


def searches():
    return list(AuditEvent.objects.filter(action=Action.SEARCHED).order_by("id"))


def no_number_in(event, *numbers):
    text = repr((event.detail, event.target_ids, event.target_type))
    return not any(n in text for n in numbers)


def test_an_admin_search_by_id_number_is_audited_with_the_households_found(people, client):
    client.force_login(administrator())
    number = people.household.members.get().id_number

    client.post(ADMIN_FIND, {"query": number})

    [event] = searches()
    assert event.outcome == Outcome.OK and event.detail["by"] == "id_number"
    assert event.target_type == "households.household" and event.target_ids == [people.household.pk]
    assert no_number_in(event, number)


def test_a_search_by_phone_on_the_find_page_is_audited(people, client):
    client.force_login(people.worker)

    page = client.post(FIND, {"query": "139 1234 5678"})

    assert page.context["results"] == [people.household]
    [event] = searches()
    assert (event.outcome, event.detail["by"], event.target_ids) == (
        Outcome.OK,
        "phone",
        [people.household.pk],
    )
    assert no_number_in(event, "13912345678")


def test_a_search_that_finds_nothing_is_audited_too(people, client):
    client.force_login(people.worker)

    client.post(FIND, {"query": "13800000000"})

    [event] = searches()
    assert event.target_ids == [] and event.outcome == Outcome.OK


def test_a_search_by_name_or_room_is_not_a_search_by_number(people, client):
    client.force_login(people.worker)

    client.post(FIND, {"query": "王小红"})
    client.post(FIND, {"query": "501"})

    assert searches() == []


@pytest.mark.parametrize("who", ["leader", "worker"])
def test_a_role_without_full_id_numbers_may_not_search_by_one(people, client, who):
    client.force_login(getattr(people, who))
    number = people.household.members.get().id_number

    page = client.post(FIND, {"query": number})

    assert page.context["results"] is None
    assert "may not search by a full resident ID number" in page.content.decode()
    [event] = searches()
    assert event.outcome == Outcome.REFUSED and event.detail["by"] == "id_number"
    assert event.target_ids == [] and no_number_in(event, number)


def test_the_leader_is_refused_in_the_admin_too(people, client, grid, assign):
    from grids.models import Role

    assign(people.leader, grid.community, role=Role.COMMUNITY_STAFF)
    people.leader.is_staff = True
    people.leader.save()
    client.force_login(people.leader)
    number = people.household.members.get().id_number

    page = client.post(ADMIN_FIND, {"query": number})

    assert page.status_code == 200 and not page.context["results"]
    assert "may not search by a full resident ID number" in page.content.decode()
    assert [e.outcome for e in searches()] == [Outcome.REFUSED]


def test_community_staff_find_by_id_number_on_the_find_page(people, client):
    client.force_login(people.staff)
    member = MemberFactory(household=people.household, relation="child")

    page = client.post(FIND, {"query": member.id_number})

    assert page.context["results"] == [people.household]
    assert searches()[0].detail == {"by": "id_number", "found": 1}


def test_the_admin_search_asks_for_a_whole_number(people, client):
    client.force_login(administrator())

    page = client.post(ADMIN_FIND, {"query": "5306211975"})

    assert page.context["results"] is None
    assert "18 characters" in page.content.decode()
    assert searches() == []


@pytest.fixture(autouse=True)
def in_english(client):
    # The messages are asserted in English, the language they are written in.
    client.cookies["django_language"] = "en"
