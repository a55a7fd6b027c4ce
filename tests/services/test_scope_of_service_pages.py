"""Every page of cases, door cards, points and income is a 404 for a household outside
the user's scope, as if it did not exist."""

import pytest
from django.urls import reverse

from employment.models import IncomeRecord
from services.cases import open_case
from tests.grids.factories import community_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def outsider(grid, assign):
    """Staff of the east area only: building 3 (the west area) is not theirs."""
    import datetime

    from grids.models import Role

    staff = community_staff(username="east")
    assign(staff, grid.area_east, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2020, 1, 1))
    return staff


@pytest.mark.parametrize("name", ["services:door_card", "services:points", "employment:income"])
def test_household_pages_out_of_scope(people, outsider, client, name):
    client.force_login(outsider)

    assert client.get(reverse(name, args=[people.household.pk])).status_code == 200
    assert client.get(reverse(name, args=[people.outside.pk])).status_code == 404
    assert client.post(reverse(name, args=[people.outside.pk]), {"action": "earn"}).status_code == 404


def test_a_case_out_of_scope(people, outsider, client):
    case = open_case(
        household=people.outside, category="help", description="x", urgency="normal", by=people.staff
    )
    client.force_login(outsider)

    assert client.get(reverse("services:case", args=[case.pk])).status_code == 404
    assert (
        client.post(reverse("services:case", args=[case.pk]), {"action": "note", "text": "偷看"}).status_code
        == 404
    )
    assert case.events.count() == 1
    assert not IncomeRecord.objects.exists()


def test_the_admin_refuses_volunteering_for_a_household_out_of_scope(people, grid, outsider, client):
    from django.contrib.auth.models import Permission

    from households.models import Member
    from services.models import PointRule, ServiceRecord, Volunteer, VolunteerTeam

    team = VolunteerTeam.objects.create(name="红马甲", unit=grid.community)
    theirs = Volunteer.objects.create(team=team, member=Member.objects.get(household=people.outside))
    rule = PointRule.objects.create(code="vol", name="志愿服务", kind="volunteering", points=5, per_hour=True)
    outsider.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_servicerecord", "view_servicerecord"])
    )
    client.force_login(outsider)

    response = client.post(
        reverse("admin:services_servicerecord_add"),
        {"volunteer": theirs.pk, "rule": rule.pk, "hours": "2", "on": "2026-11-01"},
    )

    assert response.status_code == 200 and "volunteer" in response.context["adminform"].form.errors
    assert not ServiceRecord.objects.exists()
