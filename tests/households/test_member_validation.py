"""Bad member input is refused with the field and the reason; nothing is half-saved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from grids.models import Role
from households.models import Household, Member
from tests.admin_forms import admin_form_data, member_rows
from tests.grids.factories import UserFactory, administrator, community_staff
from tests.households.factories import HouseholdFactory, MemberFactory, default_tier, resident_id

pytestmark = pytest.mark.django_db
ADD = reverse("admin:households_household_add")
BORN = datetime.date(1980, 3, 4)


def add_household_with(client, *members, unit):
    data = admin_form_data(
        client,
        ADD,
        **{
            "number": "HH-NEW-1",
            "building": unit.pk,
            "entrance": "1",
            "floor": "5",
            "room": "501",
            "tier": default_tier().pk,
            "tier_reason": "初始评定",
        },
    )
    data.update(member_rows(*members))
    return client.post(ADD, data)


def inline_errors(response):
    formset = response.context["inline_admin_formsets"][0].formset
    return [{k: [str(m) for m in v] for k, v in form.errors.items()} for form in formset.forms]


def test_a_household_and_its_members_are_saved_together(grid, client):
    client.force_login(administrator())
    spouse_born = datetime.date(1982, 7, 1)

    response = add_household_with(
        client,
        {
            "name": "张三",
            "birth_date": BORN.isoformat(),
            "id_number": resident_id(BORN, True),
            "mobile": "138 0013 8000",
        },
        {
            "name": "李四",
            "relation": "spouse",
            "sex": "female",
            "birth_date": spouse_born.isoformat(),
            "id_number": resident_id(spouse_born, False).lower(),
        },
        unit=grid.building_1,
    )

    assert response.status_code == 302
    assert Member.objects.filter(household__number="HH-NEW-1").count() == 2
    assert Member.objects.get(name="张三").mobile == "13800138000"


def test_an_invalid_member_saves_nothing_at_all(grid, client):
    client.force_login(administrator())

    response = add_household_with(
        client,
        {"name": "张三", "birth_date": BORN.isoformat(), "id_number": "110105194912310021"},
        unit=grid.building_1,
    )

    assert "id_number" in inline_errors(response)[0]
    assert not Household.objects.exists()
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    ("field", "row"),
    [
        ("birth_date", {"birth_date": "1980-03-05", "id_number": resident_id(BORN, True)}),
        ("sex", {"sex": "female", "birth_date": BORN.isoformat(), "id_number": resident_id(BORN, True)}),
        ("birth_date", {"birth_date": "2099-01-01", "id_number": ""}),
        ("mobile", {"birth_date": BORN.isoformat(), "id_number": "", "mobile": "12345"}),
        ("id_number", {"birth_date": BORN.isoformat(), "id_number": "110105491231002"}),
    ],
)
def test_a_member_that_disagrees_with_itself_is_refused(grid, client, field, row):
    client.force_login(administrator())

    response = add_household_with(client, {"name": "张三", **row}, unit=grid.building_1)

    assert field in inline_errors(response)[0]
    assert not Household.objects.exists()


def test_a_person_active_elsewhere_is_refused_naming_the_household_in_scope(grid, client, assign):
    staff = community_staff()
    assign(staff, grid.community, role=Role.COMMUNITY_STAFF)
    elsewhere = MemberFactory(household=HouseholdFactory(number="HH-OLD-7", unit=grid.building_3))
    client.force_login(staff)

    response = add_household_with(
        client,
        {"name": elsewhere.name, "birth_date": BORN.isoformat(), "id_number": elsewhere.id_number},
        unit=grid.building_1,
    )

    message = inline_errors(response)[0]["id_number"]
    assert len(message) == 1
    assert "HH-OLD-7" in message[0]
    assert not Household.objects.filter(number="HH-NEW-1").exists()


def test_a_person_active_outside_the_scope_is_refused_without_naming_the_household(grid, client, assign):
    staff = community_staff()
    assign(staff, grid.area_east, role=Role.COMMUNITY_STAFF)
    elsewhere = MemberFactory(household=HouseholdFactory(number="HH-OLD-7", unit=grid.building_3))
    client.force_login(staff)

    response = add_household_with(
        client,
        {"name": "张三", "birth_date": elsewhere.birth_date.isoformat(), "id_number": elsewhere.id_number},
        unit=grid.building_1,
    )

    message = inline_errors(response)[0]["id_number"][0]
    assert "HH-OLD-7" not in message
    assert not Household.objects.filter(number="HH-NEW-1").exists()


def test_a_person_who_moved_out_may_join_a_new_household(grid):
    old = MemberFactory(
        household=HouseholdFactory(unit=grid.building_3),
        status="moved_out",
        left_on=datetime.date(2025, 1, 1),
    )
    member = Member(
        household=HouseholdFactory(unit=grid.building_1),
        name=old.name,
        relation="head",
        sex=old.sex,
        birth_date=old.birth_date,
        id_number=old.id_number,
    )

    member.full_clean()
    member.save()

    assert Member.objects.with_id_number(old.id_number).filter(status="active").get() == member


def test_the_model_refuses_a_second_active_membership_too(grid):
    first = MemberFactory(household=HouseholdFactory(unit=grid.building_3))
    second = Member(
        household=HouseholdFactory(unit=grid.building_1),
        name="重复",
        relation="head",
        sex=first.sex,
        birth_date=first.birth_date,
        id_number=first.id_number,
    )

    with pytest.raises(ValidationError) as raised:
        second.full_clean()

    assert list(raised.value.message_dict) == ["id_number"]


def test_the_database_has_the_last_word_on_a_second_active_membership(grid):
    first = MemberFactory(household=HouseholdFactory(unit=grid.building_3))

    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(
            household=HouseholdFactory(unit=grid.building_1),
            name="重复",
            relation="head",
            sex=first.sex,
            birth_date=first.birth_date,
            id_number=first.id_number,
        )


def test_a_household_has_one_head(grid):
    household = HouseholdFactory(unit=grid.building_1)
    MemberFactory(household=household)
    born = datetime.date(1990, 1, 1)
    second_head = Member(
        household=household,
        name="王五",
        relation="head",
        sex="male",
        birth_date=born,
        id_number=resident_id(born, True),
    )

    with pytest.raises(ValidationError):
        second_head.full_clean()


def test_two_heads_in_one_form_are_refused(grid, client):
    client.force_login(administrator())
    other = datetime.date(1985, 1, 1)

    response = add_household_with(
        client,
        {"name": "张三", "birth_date": BORN.isoformat(), "id_number": resident_id(BORN, True)},
        {"name": "张四", "birth_date": other.isoformat(), "id_number": resident_id(other, True)},
        unit=grid.building_1,
    )

    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors()
    assert not Household.objects.exists()


def test_a_grid_worker_cannot_add_members(grid, client, assign):
    worker = UserFactory(is_staff=True, groups=["Grid worker"])
    assign(worker, grid.building_1)
    client.force_login(worker)

    assert client.get(ADD).status_code == 403
