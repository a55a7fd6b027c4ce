"""The landing page: the user's grid and its households by tier."""

import pytest
from django.urls import reverse

from grids.models import Role
from tests.grids.factories import UserFactory
from tests.households.factories import HouseholdFactory, default_tier

pytestmark = pytest.mark.django_db


def test_it_asks_for_a_login(client):
    response = client.get(reverse("households:overview"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_worker_sees_their_units_and_the_tiers_in_their_scope(grid, client, assign):
    worker = UserFactory()
    assign(worker, grid.building_1, role=Role.BUILDING_HEAD)
    HouseholdFactory(unit=grid.building_1, tier=default_tier("red"))
    HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("green"))
    HouseholdFactory(unit=grid.building_3, tier=default_tier("red"))
    client.force_login(worker)

    page = client.get(reverse("households:overview"))

    assert page.context["total"] == 2
    assert {row["tier__name"]: row["count"] for row in page.context["by_tier"]} == {"红": 1, "绿": 1}
    assert "铜源社区 › 东片区 › 1栋" in page.content.decode()
    assert "李小明" in page.content.decode()


def test_a_user_with_no_assignment_is_told_so(grid, client):
    client.force_login(UserFactory())

    page = client.get(reverse("households:overview"))

    assert page.context["total"] == 0
    assert "管理员" in page.content.decode()


def test_logging_in_with_a_password_lands_on_the_home_page(grid, client):
    UserFactory(username="worker1")

    response = client.post(reverse("login"), {"username": "worker1", "password": "pw-for-tests"})

    assert response.status_code == 302
    assert response.url == reverse("monitoring:today")


def test_each_count_opens_the_households_behind_it_in_walking_order(grid, client, people):
    red = default_tier("red")
    upstairs = HouseholdFactory(unit=grid.floor_1_2, tier=red, floor=2, room="201")
    downstairs = HouseholdFactory(unit=grid.floor_1_1, tier=red, floor=1, room="101")
    HouseholdFactory(unit=grid.building_3, tier=red)  # not the worker's
    client.force_login(people.worker)

    page = client.get(reverse("households:overview"), {"tier": red.pk})

    assert [h.pk for h in page.context["page"]] == [downstairs.pk, upstairs.pk]
    html = page.content.decode()
    assert reverse("households:card", args=[downstairs.pk]) in html
    assert f'href="?tier={red.pk}#households"' in html


def test_a_tier_with_no_households_in_scope_is_refused(grid, client, people):
    client.force_login(people.worker)

    assert client.get(reverse("households:overview"), {"tier": default_tier("red").pk}).status_code == 400
    assert client.get(reverse("households:overview"), {"tier": "bogus"}).status_code == 400
