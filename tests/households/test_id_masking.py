"""ID numbers are masked (first 4, last 4) for roles that do not need them."""

import pytest
from django.urls import reverse

from households.models import mask_id_number, mask_mobile
from tests.grids.factories import grid_worker
from tests.households.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db


def test_it_keeps_the_first_and_last_four():
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_id_number("") == ""


@pytest.fixture
def member(grid):
    return MemberFactory(household=HouseholdFactory(unit=grid.building_1))


def test_a_grid_worker_sees_masked_numbers(grid, member, client, assign):
    worker = grid_worker()
    assign(worker, grid.building_1)
    client.force_login(worker)

    pages = [
        client.get(reverse("admin:households_member_change", args=[member.pk])),
        client.get(reverse("admin:households_member_changelist")),
        client.get(reverse("admin:households_household_change", args=[member.household.pk])),
    ]

    for page in pages:
        assert page.status_code == 200
        assert member.id_number not in page.content.decode()
        assert member.masked_id_number in page.content.decode()


def test_community_staff_see_the_full_number_where_they_edit_it(grid, member, admin_client):
    page = admin_client.get(reverse("admin:households_member_change", args=[member.pk]))

    assert member.id_number in page.content.decode()


def test_a_mobile_keeps_the_first_three_and_last_four():
    assert mask_mobile("13800138000") == "138****8000"
    assert mask_mobile("") == ""
