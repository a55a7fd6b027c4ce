"""``/api/v1/me/``: who the caller is, their roles, permissions and the units of the
assignments in force today; nothing for a caller without credentials."""

import datetime

import pytest
from rest_framework.test import APIClient

from grids.models import Role

pytestmark = pytest.mark.django_db


def me(user):
    client = APIClient()
    client.force_authenticate(user)
    return client.get("/api/v1/me/")


def test_a_grid_worker_learns_their_units_roles_and_permissions(people, grid):
    response = me(people.worker)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == people.worker.pk and body["username"] == "worker"
    assert body["is_superuser"] is False
    assert body["groups"] == [group.name for group in people.worker.groups.order_by("name")]
    assert "monitoring.add_tierproposal" in body["permissions"]
    assert "monitoring.decide_tierproposal" not in body["permissions"]
    assert body["units"] == [
        {
            "unit": grid.building_1.pk,
            "code": "B1",
            "name": "1栋",
            "path": grid.building_1.path,
            "role": Role.BUILDING_HEAD,
            "starts_on": "2020-01-01",
            "ends_on": None,
            "covering_for": None,
        }
    ]


def test_only_the_assignments_in_force_today_are_listed(people, grid, assign):
    assign(people.staff, grid.area_west, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2030, 1, 1))
    assign(
        people.staff,
        grid.building_3,
        role=Role.COMMUNITY_STAFF,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2021, 1, 1),
    )

    body = me(people.staff).json()

    assert [unit["code"] for unit in body["units"]] == ["C1"]
    assert "monitoring.decide_tierproposal" in body["permissions"]


def test_a_leader_with_no_assignment_has_no_units(people):
    body = me(people.leader).json()

    assert body["units"] == [] and body["groups"]


def test_without_credentials_it_is_a_401():
    assert APIClient().get("/api/v1/me/").status_code == 401


def test_it_is_read_only(people):
    client = APIClient()
    client.force_authenticate(people.worker)

    assert client.post("/api/v1/me/", {}, format="json").status_code == 405
