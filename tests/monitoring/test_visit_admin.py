"""Visits added in the admin go through the engine; follow-ups are read-only and scoped."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from grids.models import Role
from monitoring.followups import generate_follow_ups
from monitoring.models import FollowUp, Visit
from tests.grids.factories import community_staff
from tests.households.factories import HouseholdFactory, default_tier
from tests.monitoring.factories import at

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 11)
ADD = reverse("admin:monitoring_visit_add")


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(at(TODAY, 15), tick=False):
        yield


@pytest.fixture
def staff(grid, assign, client):
    user = community_staff()
    assign(user, grid.area_east, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2025, 1, 1))
    client.force_login(user)
    return user


@pytest.fixture
def red(grid):
    household = HouseholdFactory(unit=grid.building_1, tier=default_tier("red"))
    generate_follow_ups()
    return household


def test_a_visit_added_in_the_admin_closes_the_follow_up(staff, red, client):
    response = client.post(
        ADD,
        {
            "household": red.pk,
            "visited_at_0": "2026-03-11",
            "visited_at_1": "09:30",
            "mode": "phone",
            "notes": "电话回访，情况稳定",
        },
    )

    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.visited_by, visit.mode) == (staff, "phone")
    assert FollowUp.objects.get(household=red).status == "done"


def test_a_visit_in_the_future_is_refused_beside_the_field(staff, red, client):
    response = client.post(
        ADD, {"household": red.pk, "visited_at_0": "2026-03-12", "visited_at_1": "09:30", "mode": "door"}
    )

    assert "visited_at" in response.context["adminform"].form.errors
    assert not Visit.objects.exists()


def test_follow_ups_are_read_only_and_scoped(staff, red, grid, client):
    outside = HouseholdFactory(unit=grid.building_3, tier=default_tier("red"))
    generate_follow_ups()

    page = client.get(reverse("admin:monitoring_followup_changelist"))

    assert [f.household for f in page.context["cl"].result_list] == [red]
    assert outside.number not in page.content.decode()
    follow_up = FollowUp.objects.get(household=red)
    assert (
        client.post(
            reverse("admin:monitoring_followup_delete", args=[follow_up.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
