"""A list serialized lean (common.lean) answers what the serializer answers, row for row:
households with every kind of value, by numbered page and by the change feed, and members
with their ID numbers masked or not as the reader may see them."""

import datetime
import json

import pytest
from django.db.models import Prefetch
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient

from common.lean import LeanListSerializer
from households.api import HouseholdSerializer, MemberSerializer
from households.models import Household, HouseholdStatus, Label, Member, SpecialGroup
from tests.accounts.factories import api_token
from tests.households.factories import HouseholdFactory, MemberFactory, default_tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(people, grid):
    """Households with and without labels, a unit, a phone, dates, a tier's time; one moved out."""
    labels = list(Label.objects.order_by("-code")[:5])  # added in another order than they read
    rows = [people.household, people.outside]  # the staff's community holds both
    people.household.labels.add(*labels[:3])
    rows.append(
        HouseholdFactory(
            unit=grid.building_1,  # the building itself
            building=grid.building_1,
            room="1201",
            phone="",
            origin_county="",
            origin_township="",
            origin_village="",
            relocated_on=None,
            tier=default_tier("green"),
        )
    )
    moved = HouseholdFactory(
        unit=grid.floor_1_2,
        room="202",
        phone="13800138000",
        origin_township="龙头山镇",
        origin_village="八宝村",
        relocated_on=datetime.date(2019, 3, 1),
        tier=default_tier("red"),
    )
    Household.objects.filter(pk=moved.pk).update(
        status=HouseholdStatus.MOVED_OUT,
        moved_out_on=datetime.date(2026, 10, 31),
        tier_changed_at=timezone.now() - datetime.timedelta(days=40, microseconds=123),
    )
    moved.labels.add(labels[4], labels[0])
    rows.append(moved)
    for household in rows[2:]:
        MemberFactory(household=household)
    return [Household.objects.get(pk=household.pk) for household in rows]


def as_the_serializer_reads(households, user):
    """Each household as the full serializer writes it, one at a time, its labels by code
    (as the detail reads them)."""
    request = Request(RequestFactory().get("/api/v1/households/"))
    request.user = user
    households = Household.objects.filter(pk__in=[h.pk for h in households]).prefetch_related(
        Prefetch("labels", queryset=Label.objects.order_by("code"))
    )
    return {
        household.pk: json.loads(
            json.dumps(HouseholdSerializer(household, context={"request": request}).data)
        )
        for household in households
    }


@pytest.fixture
def api(people):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(people.staff)}")
    return client


def test_a_page_of_households_is_what_the_serializer_writes_of_each(api, people, households):
    response = api.get("/api/v1/households/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == sorted(household.pk for household in households)
    expected = as_the_serializer_reads(households, people.staff)
    assert rows == [expected[row["id"]] for row in rows]
    assert rows[0]["labels"] == sorted(rows[0]["labels"]) and len(rows[0]["labels"]) == 3
    assert any(row["relocated_on"] is None for row in rows) and any(row["moved_out_on"] for row in rows)


def test_a_household_reads_the_same_in_the_list_and_alone(api, households):
    rows = api.get("/api/v1/households/").json()["results"]

    for row in rows:
        assert api.get(f"/api/v1/households/{row['id']}/").json() == row


def test_the_change_feed_sends_the_rows_the_list_sends(api, people, households):
    body = api.get("/api/v1/households/", {"cursor": ""}).json()

    expected = as_the_serializer_reads(households, people.staff)
    assert sorted(body["results"], key=lambda row: row["id"]) == [expected[pk] for pk in sorted(expected)]


def test_filters_and_orderings_serialize_the_same(api, people, households):
    expected = as_the_serializer_reads(households, people.staff)
    label = households[0].labels.order_by("code").first().code

    by_label = api.get("/api/v1/households/", {"label": label}).json()["results"]
    by_number = api.get("/api/v1/households/", {"ordering": "-number", "page_size": 2}).json()["results"]

    assert by_label == [expected[households[0].pk]]
    assert by_number == [expected[row["id"]] for row in by_number] and len(by_number) == 2


@pytest.mark.parametrize(("reader", "masked"), [("worker", True), ("staff", False)])
def test_members_read_lean_are_masked_as_the_serializer_masks_them(people, reader, masked):
    """The lean list applied to members: the masked ID number (a field that reads the user)
    and the special groups (a many-to-many by code) come out as DRF writes them."""
    user = getattr(people, reader)
    member = people.household.members.get()
    MemberFactory(household=people.household, relation="spouse", mobile="13700137000")
    member.special_groups.add(*SpecialGroup.objects.order_by("-code")[:2])
    request = Request(RequestFactory().get("/api/v1/members/"))
    request.user = user

    class Members(MemberSerializer):
        class Meta(MemberSerializer.Meta):
            lean_orderings = {"special_groups": ["order", "code"]}

    members = list(Member.objects.filter(household=people.household).order_by("pk"))
    lean = LeanListSerializer(
        members, child=Members(context={"request": request}), context={"request": request}
    )
    full = [MemberSerializer(m, context={"request": request}).data for m in members]

    assert lean.data == full
    assert any(row["special_groups"] for row in lean.data)
    assert all(("*" in row["id_number"]) == masked for row in lean.data)


def test_an_empty_page_is_an_empty_list(api, people):
    assert api.get("/api/v1/households/", {"tier": "red", "unit": "B1"}).json()["results"] == []


@pytest.mark.parametrize(("reader", "masked"), [("worker", True), ("staff", False)])
def test_a_member_reads_the_same_in_the_list_and_alone(people, reader, masked):
    member = people.household.members.get()
    member.special_groups.add(*SpecialGroup.objects.order_by("-code")[:2])
    MemberFactory(household=people.household, relation="spouse", mobile="13700137000")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(getattr(people, reader))}")

    rows = client.get("/api/v1/members/").json()["results"]

    assert len(rows) >= 2 and any(row["special_groups"] for row in rows)
    for row in rows:
        assert client.get(f"/api/v1/members/{row['id']}/").json() == row
        assert ("*" in row["id_number"]) == masked
