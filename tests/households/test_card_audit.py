"""Who read a household's record: every card drawn, and every admin page that showed full
ID numbers, is a row in the audit log."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent, Outcome
from tests.grids.factories import administrator, grid_worker
from tests.households.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db


def views():
    return list(AuditEvent.objects.filter(action=Action.VIEWED).order_by("id"))


@pytest.mark.parametrize("page", ["households:card", "households:card_panel"])
def test_every_card_drawn_is_recorded_with_its_household(people, client, page):
    client.force_login(people.worker)

    response = client.get(reverse(page, args=[people.household.pk]))
    client.get(reverse(page, args=[people.household.pk]))

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    rows = views()
    assert len(rows) == 2
    assert {(e.user_id, e.target_type, tuple(e.target_ids), e.outcome) for e in rows} == {
        (people.worker.pk, "households.household", (people.household.pk,), Outcome.OK)
    }
    assert rows[0].detail == {"full_id_numbers": False}
    assert rows[0].address == "127.0.0.1"


def test_an_auditor_finds_who_read_a_household_this_month(people, client):
    for user in (people.worker, people.staff):
        client.force_login(user)
        client.get(reverse("households:card", args=[people.household.pk]))
    client.get(reverse("households:card", args=[people.outside.pk]))

    readers = {
        e.username
        for e in AuditEvent.objects.filter(
            action=Action.VIEWED, target_type="households.household", at__month=11, at__year=2026
        )
        if e.target_ids == [people.household.pk]
    }

    assert readers == {"worker", "staff"}


def test_a_card_outside_the_scope_is_a_404_and_reads_nothing(people, client):
    client.force_login(people.worker)

    assert client.get(reverse("households:card", args=[people.outside.pk])).status_code == 404
    assert views() == []


@pytest.fixture
def member(grid):
    return MemberFactory(household=HouseholdFactory(unit=grid.building_1))


def test_the_admin_member_page_with_the_full_number_is_recorded(member, client):
    client.force_login(administrator())

    page = client.get(reverse("admin:households_member_change", args=[member.pk]))

    assert member.id_number in page.content.decode()
    (event,) = views()
    assert (event.target_type, event.target_ids, event.detail) == (
        "households.member",
        [member.pk],
        {"full_id_numbers": True},
    )


def test_the_admin_household_page_records_the_members_its_inline_shows(member, client):
    other = MemberFactory(
        household=member.household, relation="child", birth_date=member.birth_date.replace(year=2000)
    )
    client.force_login(administrator())

    page = client.get(reverse("admin:households_household_change", args=[member.household.pk]))

    assert member.id_number in page.content.decode() and other.id_number in page.content.decode()
    (event,) = views()
    assert (event.target_type, event.target_ids, event.detail) == (
        "households.member",
        sorted([member.pk, other.pk]),
        {"full_id_numbers": True},
    )


def test_the_admin_history_of_a_member_with_full_numbers_is_recorded(member, client):
    client.force_login(administrator())
    version = member.history.get()

    listing = client.get(reverse("admin:households_member_history", args=[member.pk]))
    page = client.get(reverse("admin:households_member_simple_history", args=[member.pk, version.history_id]))

    assert listing.status_code == 200 and page.status_code == 200
    assert member.id_number in page.content.decode()
    assert [(e.target_ids, e.detail) for e in views()] == [([member.pk], {"full_id_numbers": True})] * 2


def test_admin_pages_with_masked_numbers_are_not_recorded_as_full_reads(member, grid, client, assign):
    worker = grid_worker()
    assign(worker, grid.building_1)
    client.force_login(worker)

    for url in [
        reverse("admin:households_member_change", args=[member.pk]),
        reverse("admin:households_household_change", args=[member.household.pk]),
    ]:
        page = client.get(url)
        assert page.status_code == 200 and member.id_number not in page.content.decode()

    assert views() == []


def test_the_member_list_shows_masked_numbers_and_records_no_read(member, client):
    client.force_login(administrator())

    client.get(reverse("admin:households_member_changelist"))

    assert views() == []
