"""Dates people type are refused, naming the field, when they cannot be true: a birth before
1900 or in the future, a move into a relocation settlement before the programme began
(2001), a move-out or a departure that has not happened yet. Nothing is written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from households.models import Household, HouseholdStatus, Member, MemberStatus, Relation
from tests.households.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tomorrow(test_today):
    return test_today + datetime.timedelta(days=1)


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people.staff)
    return client


def refused_fields(instance) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        instance.full_clean()
    return list(raised.value.message_dict)


@pytest.mark.parametrize("born", [datetime.date(1899, 12, 31), datetime.date(1850, 1, 1), None])
def test_a_birth_date_before_1900_or_in_the_future_is_refused_by_the_model(people, born, tomorrow):
    member = MemberFactory.build(
        household=people.household, relation=Relation.CHILD, id_number="", birth_date=born or tomorrow
    )

    assert refused_fields(member) == ["birth_date"]


def test_a_birth_date_on_the_first_day_of_1900_is_accepted(people):
    member = MemberFactory.build(
        household=people.household,
        relation=Relation.CHILD,
        id_number="",
        birth_date=datetime.date(1900, 1, 1),
    )

    member.full_clean()
    member.save()

    assert Member.objects.get(pk=member.pk).birth_date == datetime.date(1900, 1, 1)


def test_the_api_refuses_a_birth_date_before_1900_naming_the_field(api, people):
    response = api.post(
        "/api/v1/members/",
        {
            "household": people.household.pk,
            "name": "王老太",
            "relation": "grandparent",
            "sex": "female",
            "birth_date": "1899-05-01",
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["birth_date"]
    assert Member.objects.filter(household=people.household).count() == 1


@pytest.mark.parametrize("day", [datetime.date(1900, 1, 1), datetime.date(2000, 12, 31)])
def test_a_move_in_before_the_relocation_programme_is_refused_by_the_model(grid, day):
    household = HouseholdFactory.build(unit=grid.floor_1_1, building=grid.building_1, relocated_on=day)

    assert refused_fields(household) == ["relocated_on"]


def test_a_move_in_in_2001_is_accepted(grid):
    household = HouseholdFactory.build(
        unit=grid.floor_1_1, building=grid.building_1, relocated_on=datetime.date(2001, 1, 1)
    )

    household.full_clean()
    household.save()

    assert Household.objects.get(pk=household.pk).relocated_on == datetime.date(2001, 1, 1)


def test_the_api_refuses_a_move_in_in_1900_naming_the_field(api, people):
    response = api.patch(
        f"/api/v1/households/{people.household.pk}/", {"relocated_on": "1900-01-01"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["relocated_on"]
    people.household.refresh_from_db()
    assert people.household.relocated_on is None


def test_a_move_out_in_the_future_is_refused(api, people, tomorrow):
    household = Household.objects.get(pk=people.household.pk)
    household.status, household.moved_out_on = HouseholdStatus.MOVED_OUT, tomorrow
    assert refused_fields(household) == ["moved_out_on"]

    response = api.patch(
        f"/api/v1/households/{people.household.pk}/",
        {"status": "moved_out", "moved_out_on": tomorrow.isoformat()},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["moved_out_on"]
    assert Household.objects.get(pk=people.household.pk).status == HouseholdStatus.ACTIVE


def test_a_departure_in_the_future_is_refused(api, people, tomorrow):
    member = Member.objects.get(household=people.household)
    member.status, member.left_on = MemberStatus.MOVED_OUT, tomorrow
    assert refused_fields(member) == ["left_on"]

    response = api.patch(
        f"/api/v1/members/{member.pk}/",
        {"status": "moved_out", "left_on": tomorrow.isoformat()},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["left_on"]
    assert Member.objects.get(pk=member.pk).status == MemberStatus.ACTIVE
