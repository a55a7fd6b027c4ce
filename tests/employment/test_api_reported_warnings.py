"""Warnings another system raises through the API (a county's monitoring platform), naming
itself: kept until it clears them, left alone by the nightly rules; refused out of scope,
without the permission, or with bad input naming the field."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from employment.models import EmploymentWarning, WarningKind
from employment.rules import evaluate_warnings
from grids.models import Role
from tests.grids.factories import UserFactory
from tests.households.factories import MemberFactory

pytestmark = pytest.mark.django_db
PLATFORM = "县防返贫监测平台"


@pytest.fixture
def platform(grid, assign):
    system = UserFactory(username="county-platform")
    system.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_employmentwarning", "view_employmentwarning"])
    )
    assign(system, grid.area_east, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2020, 1, 1))
    client = APIClient()
    client.force_authenticate(system)
    client.cookies["django_language"] = "en"
    return client


def raise_warning(client, target, **overrides):
    body = {"household": target.pk, "source": PLATFORM, "note": "收入骤减", **overrides}
    return client.post("/api/v1/warnings/", body, format="json")


def test_a_system_raises_a_warning_naming_itself(platform, people):
    response = raise_warning(platform, people.household)

    assert response.status_code == 201, response.content
    warning = EmploymentWarning.objects.get()
    assert response.json()["id"] == warning.pk
    assert (warning.kind, warning.source, warning.note) == (WarningKind.REPORTED, PLATFORM, "收入骤减")
    assert response.json()["source"] == PLATFORM and response.json()["cleared_at"] is None


def test_the_nightly_rules_leave_it_open(platform, people):
    raise_warning(platform, people.household)

    evaluate_warnings()

    assert EmploymentWarning.objects.get(kind=WarningKind.REPORTED).cleared_at is None


def test_a_second_open_one_from_the_same_system_is_refused_another_systems_is_not(platform, people):
    raise_warning(platform, people.household)

    again = raise_warning(platform, people.household)
    other = raise_warning(platform, people.household, source="市民政系统")

    assert again.status_code == 400
    assert "open warning on this household already" in str(again.json())
    assert other.status_code == 201
    assert EmploymentWarning.objects.count() == 2


def test_the_system_clears_its_warning_and_may_raise_it_again(platform, people):
    raised = raise_warning(platform, people.household).json()

    cleared = platform.post(f"/api/v1/warnings/{raised['id']}/clear/")
    twice = platform.post(f"/api/v1/warnings/{raised['id']}/clear/")
    anew = raise_warning(platform, people.household)

    assert cleared.status_code == 200 and cleared.json()["cleared_at"] is not None
    assert twice.status_code == 400
    assert anew.status_code == 201


def test_a_warning_of_the_rules_cannot_be_cleared_through_the_api(platform, people):
    rules = EmploymentWarning.objects.create(household=people.household, kind=WarningKind.ZERO_EMPLOYMENT)

    response = platform.post(f"/api/v1/warnings/{rules.pk}/clear/")

    assert response.status_code == 400 and "rules" in str(response.json())
    rules.refresh_from_db()
    assert rules.cleared_at is None


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"source": ""}, "source"),
        ({"source": "平台\u200b"}, "source"),
        ({"note": ""}, "note"),
        ({"note": "x" * 501}, "note"),
        ({"kind": "zero_employment"}, "kind"),
        ({"household": 10**6}, "household"),
    ],
    ids=[
        "no source",
        "invisible character",
        "no note",
        "too long",
        "kind is the server's",
        "no such household",
    ],
)
def test_bad_input_is_refused_naming_the_field(platform, people, overrides, field):
    response = raise_warning(platform, people.household, **overrides)

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not EmploymentWarning.objects.exists()


def test_a_member_of_another_household_is_refused(platform, people):
    elsewhere = MemberFactory(household=people.outside, relation="spouse")
    response = raise_warning(platform, people.household, member=elsewhere.pk)

    assert response.status_code == 400 and "member" in response.json()["fields"]


def test_a_household_out_of_scope_is_refused_and_its_warnings_unseen(platform, people):
    response = raise_warning(platform, people.outside)
    theirs = EmploymentWarning.objects.create(household=people.outside, kind=WarningKind.REPORTED, source="x")

    assert response.status_code == 400 and "household" in response.json()["fields"]
    assert platform.post(f"/api/v1/warnings/{theirs.pk}/clear/").status_code == 404


def test_staff_without_the_permission_may_not_raise_or_clear(people):
    staff = APIClient()
    staff.force_authenticate(people.staff)
    reported = EmploymentWarning.objects.create(
        household=people.household, kind=WarningKind.REPORTED, source=PLATFORM
    )

    assert raise_warning(staff, people.household).status_code == 403
    assert staff.post(f"/api/v1/warnings/{reported.pk}/clear/").status_code == 403
