"""Employment figures per grid unit, for community staff: labour force, employed by kind,
the rate, zero-employment households, households under each line; in scope only."""

import datetime

import pytest
from django.urls import reverse

from employment.models import LabourStatus
from employment.rules import evaluate_warnings
from tests.employment.factories import IncomeRecordFactory, LabourRecordFactory
from tests.households.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db


def test_figures_for_the_community_and_each_area(people, grid, client):
    east = HouseholdFactory(unit=grid.floor_1_1)
    LabourRecordFactory(
        member=MemberFactory(household=east, is_labour_force=True), status=LabourStatus.MIGRANT
    )
    LabourRecordFactory(
        member=MemberFactory(household=east, relation="spouse", is_labour_force=True), status=LabourStatus.GIG
    )
    west = HouseholdFactory(unit=grid.building_3)
    MemberFactory(household=west, is_labour_force=True)  # looking, nothing recorded
    IncomeRecordFactory(household=west, per_capita=7000)
    IncomeRecordFactory(household=east, per_capita=9000)
    evaluate_warnings(datetime.date(2026, 11, 25))
    client.force_login(people.staff)

    page = client.get(reverse("employment:figures"), {"unit": "C1"})

    total, rows = page.context["total"], page.context["rows"]
    assert (total.labour_force, total.employed, total.rate, total.zero_employment) == (3, 2, 66.7, 1)
    assert dict(total.by_kind) == {"migrant": 1, "gig": 1}
    assert total.under_counts == [1, 2]  # under 8,000 and under 10,000
    assert [(r.unit.code, r.labour_force, r.employed, r.zero_employment) for r in rows] == [
        ("A1", 2, 2, 0),
        ("A2", 1, 0, 1),
    ]


def test_a_unit_outside_the_scope_is_a_404_and_figures_stay_in_scope(people, grid, client):
    LabourRecordFactory(
        member=MemberFactory(household=people.outside, relation="child", is_labour_force=True)
    )
    client.force_login(people.worker)

    assert client.get(reverse("employment:figures"), {"unit": "A2"}).status_code == 404
    assert client.get(reverse("employment:figures")).context["total"].employed == 0
