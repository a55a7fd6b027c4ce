"""The case page chooses nothing for the user: after "resolved" no status is picked (a case
was closed by someone who only meant to add a line), and handing over lists people by the
unit they cover, with their role, the household's own units first."""

import datetime

import pytest
from django.urls import reverse

from grids.models import Role
from services.cases import change_status, open_case
from services.models import CaseStatus
from tests.grids.factories import grid_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(people):
    return open_case(
        household=people.household,
        category="help",
        description="水管坏了",
        urgency="normal",
        by=people.worker,
    )


def test_a_resolved_case_offers_close_and_reopen_with_neither_chosen(people, client, case):
    change_status(case=case, status=CaseStatus.RESOLVED, note="物业已修好", by=people.worker)
    client.force_login(people.staff)

    form = client.get(reverse("services:case", args=[case.pk])).context["status_form"]
    blank = client.post(reverse("services:case", args=[case.pk]), {"action": "status", "status": ""})

    assert [value for value, _label in form.fields["status"].choices] == ["", "closed", "reopened"]
    assert form["status"].value() is None
    assert blank.status_code == 400 and blank.context["status_form"].errors["status"]
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_handing_over_lists_people_by_their_unit_with_their_role_the_households_units_first(
    people, client, grid, assign, case
):
    west = grid_worker(username="west", last_name="李", first_name="四")
    assign(west, grid.building_3, role=Role.FULL_TIME_WORKER, starts_on=datetime.date(2020, 1, 1))
    people.worker.last_name, people.worker.first_name = "王", "五"
    people.worker.save()
    client.force_login(people.staff)

    form = client.get(reverse("services:case", args=[case.pk])).context["assign_form"]

    groups = form.fields["assigned_to"].choices[1:]
    assert [unit for unit, _people in groups] == ["1栋 (B1)", "铜源社区 (C1)", "3栋 (B3)"]
    assert groups[0][1] == [(people.worker.pk, "王五 · 楼栋长")]
    assert groups[2][1] == [(west.pk, "李四 · 专职网格员")]
    html = client.get(reverse("services:case", args=[case.pk])).content.decode()
    assert '<optgroup label="1栋 (B1)">' in html


def test_a_case_is_handed_to_someone_listed_and_not_to_anyone_else(people, client, grid, assign, case):
    stranger = grid_worker(username="stranger")  # no assignment in the staff's scope
    client.force_login(people.staff)
    url = reverse("services:case", args=[case.pk])

    refused = client.post(url, {"action": "assign", "assigned_to": stranger.pk})
    client.post(url, {"action": "assign", "assigned_to": people.staff.pk})

    assert refused.status_code == 400 and refused.context["assign_form"].errors["assigned_to"]
    case.refresh_from_db()
    assert case.assigned_to == people.staff
