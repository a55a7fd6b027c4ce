"""Member responses of the API that carry sensitive personal information are recorded: one
audit row per response, naming the members in it and the sensitive fields it carried."""

import datetime

import pytest
from rest_framework.test import APIClient

from audit.models import Action, AuditEvent
from households.models import SpecialGroup
from tests.accounts.factories import api_token
from tests.households.factories import MemberFactory

pytestmark = pytest.mark.django_db


def api_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def reads():
    return list(AuditEvent.objects.filter(action=Action.API_READ).order_by("id"))


def test_a_list_with_full_numbers_is_one_row_naming_every_member_in_it(people):
    for n in range(3):
        MemberFactory(household=people.household, relation="child", birth_date=datetime.date(2000 + n, 1, 1))
    api = api_for(people.staff)

    body = api.get("/api/v1/members/").json()

    shown = [m["id"] for m in body["results"]]
    assert len(shown) == 5 and not any("*" in m["id_number"] for m in body["results"])
    (event,) = reads()
    assert (event.user_id, event.target_type, event.target_ids, event.detail) == (
        people.staff.pk,
        "households.member",
        shown,
        {"fields": ["id_number"]},
    )


def test_a_detail_with_the_full_number_is_recorded(people):
    member = people.household.members.get()

    api_for(people.staff).get(f"/api/v1/members/{member.pk}/")

    assert [(e.target_ids, e.detail) for e in reads()] == [([member.pk], {"fields": ["id_number"]})]


def test_masked_numbers_without_special_groups_are_not_recorded(people):
    body = api_for(people.worker).get("/api/v1/members/").json()

    assert body["count"] == 1 and "*" in body["results"][0]["id_number"]
    assert reads() == []


def test_special_groups_are_sensitive_and_recorded_for_the_members_who_have_them(people):
    disabled = MemberFactory(
        household=people.household, relation="child", birth_date=datetime.date(2001, 1, 1)
    )
    disabled.special_groups.add(SpecialGroup.objects.first())

    api_for(people.worker).get("/api/v1/members/")

    assert [(e.target_ids, e.detail) for e in reads()] == [([disabled.pk], {"fields": ["special_groups"]})]


def test_a_refused_or_missing_member_reads_nothing(people):
    outside = people.outside.members.get()

    assert api_for(people.worker).get(f"/api/v1/members/{outside.pk}/").status_code == 404
    assert reads() == []
