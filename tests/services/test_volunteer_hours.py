"""A record of volunteering is one day's: more than 24 hours in it is refused on the hours
field, by the model, the service and the forms, and earns no points."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from households.models import Member
from services.models import PointEntry, PointRule, ServiceRecord, Volunteer, VolunteerTeam
from services.points import balance, earn_points, record_service
from tests.grids.factories import administrator

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(db):
    return PointRule.objects.create(code="vol", name="志愿服务", kind="volunteering", points=5, per_hour=True)


@pytest.fixture
def volunteer(people, grid):
    team = VolunteerTeam.objects.create(name="红马甲", unit=grid.community)
    return Volunteer.objects.create(team=team, member=Member.objects.get(household=people.household))


def test_the_service_refuses_9999_hours_in_one_record(people, volunteer, rule):
    with pytest.raises(ValidationError) as raised:
        record_service(
            volunteer=volunteer, rule=rule, hours=Decimal("9999.9"), on=volunteer.joined_on, by=people.staff
        )

    assert list(raised.value.message_dict) == ["hours"]
    assert not ServiceRecord.objects.exists() and not PointEntry.objects.exists()


def test_the_model_refuses_more_than_24_hours_and_takes_24(people, volunteer, rule):
    def record(hours):
        return ServiceRecord(
            volunteer=volunteer, rule=rule, hours=hours, on=volunteer.joined_on, recorded_by=people.staff
        )

    with pytest.raises(ValidationError) as raised:
        record(Decimal("24.5")).full_clean(exclude=["entry"])

    assert list(raised.value.message_dict) == ["hours"]
    record(Decimal("24")).full_clean(exclude=["entry"])


def test_the_admin_refuses_9999_hours_on_the_hours_field(people, volunteer, rule, client):
    client.force_login(administrator())

    response = client.post(
        reverse("admin:services_servicerecord_add"),
        {
            "volunteer": volunteer.pk,
            "rule": rule.pk,
            "hours": "9999.9",
            "on": volunteer.joined_on.isoformat(),
        },
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["hours"]
    assert not ServiceRecord.objects.exists() and balance(people.household) == 0


def test_points_by_the_hour_are_refused_for_more_than_a_day(people, rule, client):
    with pytest.raises(ValidationError) as raised:
        earn_points(household=people.household, rule=rule, hours=Decimal("9999.9"), by=people.staff)
    assert list(raised.value.message_dict) == ["hours"]

    client.force_login(people.staff)
    response = client.post(
        reverse("services:points", args=[people.household.pk]),
        {"action": "earn", "rule": rule.pk, "hours": "9999.9"},
    )

    assert response.status_code == 400
    assert list(response.context["earn_form"].errors) == ["hours"]
    assert balance(people.household) == 0
