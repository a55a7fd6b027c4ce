"""The household admin: search, filters, the POSTed ID/phone search, and scope."""

import pytest
from django.urls import reverse

from grids.models import Role
from households.models import Label
from tests.grids.factories import administrator, community_staff
from tests.households.factories import HouseholdFactory, MemberFactory, default_tier

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:households_household_changelist")
FIND = reverse("admin:households_household_find")


@pytest.fixture
def homes(grid):
    east = HouseholdFactory(
        number="HH-EAST", unit=grid.building_1, tier=default_tier("red"), phone="13912345678"
    )
    west = HouseholdFactory(number="HH-WEST", unit=grid.building_3)
    MemberFactory(household=east, name="王小红")
    MemberFactory(household=west, name="赵大山", mobile="13700001111")
    east.labels.add(Label.objects.get(code="elderly-alone"))
    return {"east": east, "west": west}


def listed(response):
    return sorted(h.number for h in response.context["cl"].result_list)


@pytest.fixture
def east_staff(grid, assign, client):
    staff = community_staff()
    assign(staff, grid.area_east, role=Role.COMMUNITY_STAFF)
    client.force_login(staff)
    return staff


def test_it_lists_only_households_in_scope(homes, east_staff, client):
    assert listed(client.get(CHANGELIST)) == ["HH-EAST"]


def test_a_household_outside_the_scope_cannot_be_opened(homes, east_staff, client):
    response = client.get(reverse("admin:households_household_change", args=[homes["west"].pk]))

    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert "HH-WEST" not in client.get(response.url).content.decode()


def test_it_searches_by_member_name_and_household_number(homes, client):
    client.force_login(administrator())

    assert listed(client.get(CHANGELIST, {"q": "赵大山"})) == ["HH-WEST"]
    assert listed(client.get(CHANGELIST, {"q": "HH-EAST"})) == ["HH-EAST"]


def test_it_filters_by_tier_unit_and_label(grid, homes, client):
    client.force_login(administrator())
    elderly = Label.objects.get(code="elderly-alone")

    assert listed(client.get(CHANGELIST, {"tier": default_tier("red").pk})) == ["HH-EAST"]
    assert listed(client.get(CHANGELIST, {"unit": grid.area_west.pk})) == ["HH-WEST"]
    assert listed(client.get(CHANGELIST, {"labels__id__exact": elderly.pk})) == ["HH-EAST"]


def test_it_finds_a_household_by_id_number_with_a_post(homes, client):
    client.force_login(administrator())
    id_number = homes["west"].members.get().id_number

    response = client.post(FIND, {"query": id_number.lower()})

    assert [h.number for h in response.context["results"]] == ["HH-WEST"]


@pytest.mark.parametrize("query", ["+86 139-1234-5678", "13700001111"])
def test_it_finds_a_household_by_its_phone_or_a_member_mobile(homes, client, query):
    client.force_login(administrator())

    response = client.post(FIND, {"query": query})

    assert len(response.context["results"]) == 1


def test_the_id_search_stays_within_the_scope(homes, east_staff, client):
    id_number = homes["west"].members.get().id_number

    response = client.post(FIND, {"query": id_number})

    assert list(response.context["results"]) == []


def test_the_id_search_page_does_not_search_on_get(homes, client):
    client.force_login(administrator())

    number = homes["west"].members.get().id_number
    response = client.get(FIND, {"query": number})

    # Refused before the page is reached (config.middleware): a number in a URL is in
    # every access log and browser history on its way.
    assert response.status_code == 400
    assert "results" not in (response.context or {})
    assert number not in response.content.decode()


def test_the_changelist_links_to_the_id_search(homes, client):
    client.force_login(administrator())

    assert FIND in client.get(CHANGELIST).content.decode()


def test_the_changelist_does_not_grow_queries_with_rows(grid, client, django_assert_max_num_queries):
    for _ in range(30):
        MemberFactory(household=HouseholdFactory(unit=grid.building_2))
    client.force_login(administrator())
    client.get(CHANGELIST)

    with django_assert_max_num_queries(12):
        client.get(CHANGELIST)


def test_the_household_page_shows_its_members_then_the_tier_history_monitoring_adds(
    homes, east_staff, client
):
    from monitoring.models import TierChange

    TierChange.objects.create(household=homes["east"], to_tier=homes["east"].tier, reason="入住时评定")

    page = client.get(reverse("admin:households_household_change", args=[homes["east"].pk]))

    inlines = [type(formset.opts).__name__ for formset in page.context["inline_admin_formsets"]]
    assert inlines == ["MemberInline", "TierChangeInline"]
    assert "入住时评定" in page.content.decode()
