"""Names made of invisible characters, or carrying them (zero-width spaces and joiners,
bidirectional overrides), are refused naming the field: such a name looks empty, or reads
other than it is stored. Chinese names with a middle dot (阿卜杜拉·买买提) pass."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from employment.models import LabourRecord, LabourStatus
from households.models import Member, Relation
from tests.households.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db

INVISIBLE = {
    "zero-width space only": "\u200b\u200b",
    "zero-width joiners only": "\u200d\u200c\ufeff",
    "zero-width space inside": "张\u200b三",
    "right-to-left override": "\u202e三张",
    "left-to-right isolate": "张\u2066三\u2069",
    "right-to-left mark": "张三\u200f",
    "hangul filler": "\u3164",
    "a control": "张\x07三",
}


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people.staff)
    return client


def child(household, name):
    return MemberFactory.build(household=household, relation=Relation.CHILD, id_number="", name=name)


@pytest.mark.parametrize("name", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_the_model_refuses_a_member_name_with_invisible_characters(people, name):
    with pytest.raises(ValidationError) as raised:
        child(people.household, name).full_clean()

    assert list(raised.value.message_dict) == ["name"]


@pytest.mark.parametrize("name", ["阿卜杜拉·买买提", "王小红", "欧阳 娜娜", "Zhang San", "\ue000娟"])
def test_ordinary_names_pass(people, name):
    member = child(people.household, name)

    member.full_clean()
    member.save()

    assert people.household.members.get(pk=member.pk).name == name


@pytest.mark.parametrize("name", [INVISIBLE["zero-width space only"], INVISIBLE["right-to-left override"]])
def test_the_api_refuses_an_invisible_member_name_naming_the_field(api, people, name):
    response = api.post(
        "/api/v1/members/",
        {
            "household": people.household.pk,
            "name": name,
            "relation": "child",
            "sex": "female",
            "birth_date": "2015-04-01",
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["name"]
    assert Member.objects.filter(household=people.household).count() == 1


def test_the_admin_refuses_an_invisible_member_name(people, client):
    from tests.admin_forms import errors_of
    from tests.grids.factories import administrator

    client.force_login(administrator())
    member = Member.objects.get(household=people.household)
    data = {
        "household": people.household.pk,
        "name": "\u200b",
        "relation": member.relation,
        "sex": member.sex,
        "ethnicity": member.ethnicity,
        "birth_date": member.birth_date.isoformat(),
        "id_number": member.id_number,
        "status": "active",
    }

    response = client.post(f"/admin/households/member/{member.pk}/change/", data)

    assert list(errors_of(response)) == ["name"]
    assert Member.objects.get(pk=member.pk).name == member.name


def test_places_of_origin_with_invisible_characters_are_refused(grid, api, people):
    household = HouseholdFactory.build(
        unit=grid.floor_1_1, building=grid.building_1, origin_village="\u202e村屏翠"
    )
    with pytest.raises(ValidationError) as raised:
        household.full_clean()
    assert list(raised.value.message_dict) == ["origin_village"]

    response = api.patch(
        f"/api/v1/households/{people.household.pk}/", {"origin_township": "\u200b"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["origin_township"]


def test_an_employer_and_a_city_with_invisible_characters_are_refused(people):
    member = Member.objects.get(household=people.household)
    record = LabourRecord(
        member=member,
        status=LabourStatus.MIGRANT,
        province="浙江",
        city="\u200b",
        employer="\u202e司公",
        starts_on=datetime.date(2025, 3, 1),
    )

    with pytest.raises(ValidationError) as raised:
        record.full_clean(exclude=["member", "recorded_by", "workshop", "post"], validate_constraints=False)

    assert sorted(raised.value.message_dict) == ["city", "employer"]
