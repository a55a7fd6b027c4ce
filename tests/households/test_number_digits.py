"""ID and mobile numbers are stored in ASCII digits: full-width digits typed by a Chinese
input method are made ASCII, any other script's digits (Arabic-Indic, Devanagari) are
refused with the field named. A number in other digits is another string to the unique
constraint, and would let a person active in one household be registered in another."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from households.models import Member, Relation, Sex
from tests.households.factories import MemberFactory, resident_id

pytestmark = pytest.mark.django_db
BORN = datetime.date(1990, 3, 7)
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")


def in_other_digits(number: str, digits) -> str:
    """The first 17 characters in other digits, the check character as typed: int() reads
    both the same, so the check digit still agreed."""
    return number[:17].translate(digits) + number[17]


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people.staff)
    return client


def member_data(household, **overrides):
    return {
        "household": household.pk,
        "name": "王小军",
        "relation": "child",
        "sex": "female",
        "birth_date": BORN.isoformat(),
        "id_number": resident_id(BORN, male=False),
        **overrides,
    }


@pytest.mark.parametrize("digits", [ARABIC_INDIC, DEVANAGARI], ids=["arabic-indic", "devanagari"])
def test_a_person_active_elsewhere_cannot_come_back_in_other_digits(people, digits):
    active = Member.objects.get(household=people.outside)
    twin = Member(
        household=people.household,
        name="张大山",
        relation=Relation.CHILD,
        sex=active.sex,
        birth_date=active.birth_date,
        id_number=in_other_digits(active.id_number, digits),
    )

    with pytest.raises(ValidationError) as raised:
        twin.full_clean()

    assert list(raised.value.message_dict) == ["id_number"]
    assert raised.value.error_dict["id_number"][0].code == "digits"


@pytest.mark.parametrize("digits", [ARABIC_INDIC, DEVANAGARI], ids=["arabic-indic", "devanagari"])
def test_the_api_refuses_an_id_number_in_other_digits_naming_the_field(api, people, digits):
    active = Member.objects.get(household=people.outside)
    data = member_data(
        people.household,
        sex=active.sex,
        birth_date=active.birth_date.isoformat(),
        id_number=in_other_digits(active.id_number, digits),
    )

    response = api.post("/api/v1/members/", data, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["id_number"]
    assert Member.objects.filter(household=people.household).count() == 1


def test_a_mobile_number_in_other_digits_is_refused_naming_the_field(api, people):
    response = api.post(
        "/api/v1/members/", member_data(people.household, mobile="13" + "800138000".translate(ARABIC_INDIC))
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["mobile"]
    with pytest.raises(ValidationError) as raised:
        MemberFactory.build(
            household=people.household, relation=Relation.CHILD, mobile="13" + "８٠٠١٣٨٠٠٠"
        ).full_clean()
    assert list(raised.value.message_dict) == ["mobile"]


def test_full_width_digits_are_stored_as_ascii_by_the_model(people):
    number = resident_id(BORN, male=True)
    member = MemberFactory.build(
        household=people.household,
        relation=Relation.CHILD,
        sex=Sex.MALE,
        birth_date=BORN,
        id_number=number.translate(FULL_WIDTH),
        mobile="＋８６ １３８－００１３－８０００",
    )

    member.full_clean()
    member.save()

    member.refresh_from_db()
    assert (member.id_number, member.mobile) == (number, "13800138000")


def test_full_width_digits_are_stored_as_ascii_through_the_api(api, people):
    number = resident_id(BORN, male=False)
    while not number.endswith("X"):  # an ID whose check character is X, typed ｘ
        number = resident_id(BORN, male=False)

    response = api.post(
        "/api/v1/members/",
        member_data(
            people.household, id_number=number.translate(FULL_WIDTH), mobile="１３８００１３８０００"
        ),
        format="json",
    )

    assert response.status_code == 201, response.json()
    member = Member.objects.get(pk=response.json()["id"])
    assert (member.id_number, member.mobile) == (number, "13800138000")


def test_the_admin_stores_full_width_digits_as_ascii(people, client):
    from tests.grids.factories import administrator

    client.force_login(administrator())
    member = Member.objects.get(household=people.household)
    url = f"/admin/households/member/{member.pk}/change/"
    data = {
        "household": people.household.pk,
        "name": member.name,
        "relation": member.relation,
        "sex": member.sex,
        "ethnicity": member.ethnicity,
        "birth_date": member.birth_date.isoformat(),
        "id_number": member.id_number.translate(FULL_WIDTH),
        "mobile": "１３９ １２３４ ５６７８",
        "status": "active",
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.mobile == "13912345678"
    assert member.id_number.isascii()


def test_the_admin_refuses_other_digits_naming_the_field(people, client):
    from tests.admin_forms import errors_of
    from tests.grids.factories import administrator

    client.force_login(administrator())
    member = Member.objects.get(household=people.household)
    before = member.id_number
    data = {
        "household": people.household.pk,
        "name": member.name,
        "relation": member.relation,
        "sex": member.sex,
        "ethnicity": member.ethnicity,
        "birth_date": member.birth_date.isoformat(),
        "id_number": in_other_digits(member.id_number, DEVANAGARI),
        "status": "active",
    }

    response = client.post(f"/admin/households/member/{member.pk}/change/", data)

    assert response.status_code == 200
    assert list(errors_of(response)) == ["id_number"]
    member.refresh_from_db()
    assert member.id_number == before


def test_the_door_cards_call_back_number_takes_full_width_and_refuses_other_digits():
    from services.forms import HelpForm

    typed = HelpForm({"kind": "daily", "phone": "１３９１２３４５６７８"})
    foreign = HelpForm({"kind": "daily", "phone": "13" + "912345678".translate(ARABIC_INDIC)})

    assert typed.is_valid() and typed.cleaned_data["phone"] == "13912345678"
    assert not foreign.is_valid() and list(foreign.errors) == ["phone"]


def test_the_ledger_import_stores_full_width_digits_as_ascii_and_refuses_others(
    people, grid, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from households import tasks
    from households.models import Household, LedgerImport, LedgerImportStatus
    from tests.grids.factories import GridUnitFactory, level
    from tests.households.ledger_files import ledger_file, sample_ledger

    GridUnitFactory(parent=grid.area_east, level=level("楼栋"), name="4栋", code="B4")
    client.force_login(people.staff)

    def check(households, members) -> LedgerImport:
        with django_capture_on_commit_callbacks(execute=False):
            client.post(
                reverse("households:ledger_upload"), {"unit": "C1", "file": ledger_file(households, members)}
            )
        item = LedgerImport.objects.latest("pk")
        tasks.check_ledger(item.pk)
        item.refresh_from_db()
        return item

    households, members = sample_ledger(["4栋"], 1, members=1)
    active = Member.objects.get(household=people.outside)
    members[0]["身份证号"] = in_other_digits(active.id_number, ARABIC_INDIC)

    refused = check(households, members)

    assert refused.status == LedgerImportStatus.INVALID
    id_errors = [p["message"] for p in refused.errors if (p["sheet"], p["column"]) == ("人员", "身份证号")]
    assert len(id_errors) == 1 and "0 到 9" in id_errors[0]

    households, members = sample_ledger(["4栋"], 1, members=1)
    number = members[0]["身份证号"]
    members[0]["身份证号"] = number.translate(FULL_WIDTH)
    households[0]["联系电话"] = "１３９１２３４５６７８"
    item = check(households, members)
    assert item.status == LedgerImportStatus.READY, item.errors
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("households:ledger_confirm", args=[item.pk]))
    tasks.import_ledger(item.pk)

    household = Household.objects.get(number=households[0]["户编号"])
    assert household.phone == "13912345678"
    assert household.members.with_id_number(number).exists()
