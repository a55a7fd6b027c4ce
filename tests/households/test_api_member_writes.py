"""Members written through the API: validated by the model as the forms are (the ID
number's check digit, birth date and sex against it, one active membership per person,
one head), numbers normalised and never repeated in an error or a log, the household of
another grid never named, nothing half-saved, nothing deleted."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from grids.models import Role
from households.models import Member, MemberStatus
from tests.grids.factories import UserFactory
from tests.households.factories import HouseholdFactory, MemberFactory, resident_id

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
BORN = datetime.date(1990, 3, 7)


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=SHANGHAI)):
        yield


@pytest.fixture
def api(people):
    """Community staff on the whole community: they add and change members and see full
    ID numbers."""
    client = APIClient()
    client.force_authenticate(people.staff)
    return client


@pytest.fixture
def east(grid, assign, people):
    """A clerk on the east area only (building 3, where ``people.outside`` lives, is
    outside) who adds and changes members but may not see full ID numbers."""
    clerk = UserFactory(username="east")
    clerk.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="households",
            codename__in=["view_member", "add_member", "change_member", "view_household"],
        )
    )
    assign(clerk, grid.area_east, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2020, 1, 1))
    client = APIClient()
    client.force_authenticate(clerk)
    return client


def new_member(household, **overrides):
    return {
        "household": household.pk,
        "name": "王小军",
        "relation": "child",
        "sex": "female",
        "ethnicity": "07",  # Yi (GB/T 3304)
        "birth_date": BORN.isoformat(),
        "id_number": resident_id(BORN, male=False),
        "mobile": "+86 138-0013-8000",
        "is_labour_force": True,
        "special_groups": ["disability", "minimum-allowance"],
        **overrides,
    }


def with_wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def test_it_adds_a_member_with_special_groups(api, people):
    data = new_member(people.household)
    typed = data["id_number"][:6] + " " + data["id_number"][6:]  # as people type it

    response = api.post("/api/v1/members/", {**data, "id_number": typed.lower()}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    member = Member.objects.get(pk=body["id"])
    assert member.household == people.household and member.status == MemberStatus.ACTIVE
    assert member.id_number == data["id_number"] == body["id_number"]  # staff see it in full
    assert member.mobile == "13800138000" == body["mobile"]
    assert sorted(member.special_groups.values_list("code", flat=True)) == ["disability", "minimum-allowance"]
    assert sorted(body["special_groups"]) == ["disability", "minimum-allowance"]
    assert member.history.latest().history_user == people.staff


def test_the_answer_masks_the_number_for_those_who_may_not_see_it(east, people):
    data = new_member(people.household)

    response = east.post("/api/v1/members/", data, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["id_number"] == data["id_number"][:4] + "*" * 10 + data["id_number"][-4:]
    assert data["id_number"].encode() not in response.content
    assert Member.objects.get(pk=response.json()["id"]).id_number == data["id_number"]


def test_a_wrong_check_digit_is_a_400_that_never_repeats_the_number(api, people, caplog):
    before = Member.objects.count()
    wrong = with_wrong_check_digit(resident_id(BORN, male=False))

    response = api.post("/api/v1/members/", new_member(people.household, id_number=wrong), format="json")

    assert response.status_code == 400 and list(response.json()["fields"]) == ["id_number"]
    assert wrong.encode() not in response.content and wrong[:17].encode() not in response.content
    assert wrong not in caplog.text
    assert Member.objects.count() == before


def test_an_invalid_mobile_is_a_400_that_never_repeats_it(api, people, caplog):
    response = api.post("/api/v1/members/", new_member(people.household, mobile="2380013800"), format="json")

    assert response.status_code == 400 and list(response.json()["fields"]) == ["mobile"]
    assert b"2380013800" not in response.content and "2380013800" not in caplog.text


def test_birth_date_and_sex_must_agree_with_the_id_number(api, people):
    data = new_member(people.household, birth_date="1990-03-08", sex="male")

    response = api.post("/api/v1/members/", data, format="json")

    assert response.status_code == 400 and set(response.json()["fields"]) == {"birth_date", "sex"}
    assert not Member.objects.filter(name="王小军").exists()


def test_a_household_outside_the_scope_is_refused_as_if_it_did_not_exist(east, people):
    before = Member.objects.count()

    outside = east.post("/api/v1/members/", new_member(people.outside), format="json")
    missing = east.post(
        "/api/v1/members/", {**new_member(people.outside), "household": 999999}, format="json"
    )

    assert outside.status_code == missing.status_code == 400
    said = outside.json()["fields"]["household"][0].replace(str(people.outside.pk), "N")
    assert said == missing.json()["fields"]["household"][0].replace("999999", "N")
    assert Member.objects.count() == before


def test_a_person_active_outside_the_scope_is_refused_without_naming_the_household(east, people):
    elsewhere = people.outside.members.get()
    data = new_member(
        people.household,
        id_number=elsewhere.id_number,
        birth_date=elsewhere.birth_date.isoformat(),
        sex=elsewhere.sex,
    )

    response = east.post("/api/v1/members/", data, format="json")

    assert response.status_code == 400 and list(response.json()["fields"]) == ["id_number"]
    assert people.outside.number.encode() not in response.content
    assert elsewhere.id_number.encode() not in response.content
    assert not people.household.members.filter(name="王小军").exists()


def test_a_person_active_in_the_scope_is_refused_naming_the_household(api, people):
    elsewhere = people.outside.members.get()
    data = new_member(
        people.household,
        id_number=elsewhere.id_number,
        birth_date=elsewhere.birth_date.isoformat(),
        sex=elsewhere.sex,
    )

    response = api.post("/api/v1/members/", data, format="json")

    assert response.status_code == 400 and list(response.json()["fields"]) == ["id_number"]
    assert people.outside.number in response.json()["fields"]["id_number"][0]


def test_a_household_has_one_active_head(api, people):
    response = api.post("/api/v1/members/", new_member(people.household, relation="head"), format="json")

    assert response.status_code == 400 and list(response.json()["fields"]) == ["non_field_errors"]
    assert people.household.members.count() == 1


def test_an_unknown_special_group_saves_nothing(api, people):
    before = Member.objects.count()

    response = api.post(
        "/api/v1/members/",
        new_member(people.household, special_groups=["disability", "nobody"]),
        format="json",
    )

    assert response.status_code == 400 and list(response.json()["fields"]) == ["special_groups"]
    assert Member.objects.count() == before


@pytest.mark.parametrize("extra", [{"id": 7}, {"created_at": "2026-01-01T00:00:00Z"}, {"nickname": "小军"}])
def test_unknown_and_server_owned_fields_are_a_400_naming_them(api, people, extra):
    before = Member.objects.count()

    response = api.post("/api/v1/members/", {**new_member(people.household), **extra}, format="json")

    assert response.status_code == 400 and list(response.json()["fields"]) == list(extra)
    assert Member.objects.count() == before


def test_a_grid_worker_may_read_but_not_add_or_change(people):
    client = APIClient()
    client.force_authenticate(people.worker)
    member = people.household.members.get()

    added = client.post("/api/v1/members/", new_member(people.household), format="json")
    changed = client.patch(f"/api/v1/members/{member.pk}/", {"name": "王大红"}, format="json")

    assert added.status_code == changed.status_code == 403
    assert people.household.members.get().name == "王小红"


def test_members_are_never_deleted(api, people):
    member = people.household.members.get()

    assert api.delete(f"/api/v1/members/{member.pk}/").status_code == 405
    assert Member.objects.filter(pk=member.pk).exists()


def test_a_member_who_leaves_is_recorded_so_and_may_join_another_household(api, people, grid):
    member = people.household.members.get()
    url = f"/api/v1/members/{member.pk}/"
    new_home = HouseholdFactory(unit=grid.building_2)

    undated = api.patch(url, {"status": "moved_out"}, format="json")
    left = api.patch(
        url, {"status": "moved_out", "left_on": "2026-11-20", "special_groups": []}, format="json"
    )
    joined = api.post(
        "/api/v1/members/",
        {
            "household": new_home.pk,
            "name": member.name,
            "relation": "head",
            "sex": member.sex,
            "birth_date": member.birth_date.isoformat(),
            "id_number": member.id_number,
        },
        format="json",
    )

    assert undated.status_code == 400 and list(undated.json()["fields"]) == ["left_on"]
    assert left.status_code == 200, left.content
    assert left.json()["status"] == "moved_out" and left.json()["special_groups"] == []
    assert joined.status_code == 201, joined.content
    member.refresh_from_db()
    assert member.status == MemberStatus.MOVED_OUT and member.left_on == datetime.date(2026, 11, 20)
    assert member.history.latest().history_user == people.staff


def test_a_change_is_validated_like_a_new_member(api, people):
    member = people.household.members.get()
    wrong = with_wrong_check_digit(member.id_number)

    response = api.patch(
        f"/api/v1/members/{member.pk}/", {"id_number": wrong, "name": "王大红"}, format="json"
    )

    assert response.status_code == 400 and list(response.json()["fields"]) == ["id_number"]
    assert wrong.encode() not in response.content
    assert people.household.members.get().name == "王小红"


def test_a_member_outside_the_scope_is_a_404(east, people):
    member = people.outside.members.get()

    response = east.patch(f"/api/v1/members/{member.pk}/", {"name": "张小山"}, format="json")

    assert response.status_code == 404
    assert people.outside.members.get().name == "张大山"


def test_a_member_moved_to_another_household_in_scope(api, people, grid):
    member = MemberFactory(household=people.household, relation="child", name="王小明")
    other = HouseholdFactory(unit=grid.building_2)

    response = api.patch(f"/api/v1/members/{member.pk}/", {"household": other.pk}, format="json")

    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert member.household == other


@pytest.mark.parametrize(
    "extra",
    [
        {"special_groups": ["disability\x00"]},
        {"id_number": "\x00"},
        {"mobile": "\x00"},
        {"household": 10**30},
    ],
)
def test_odd_input_is_a_400_never_a_500(api, people, extra):
    before = Member.objects.count()

    response = api.post("/api/v1/members/", {**new_member(people.household), **extra}, format="json")

    assert response.status_code == 400 and list(response.json()["fields"]) == list(extra)
    assert Member.objects.count() == before
