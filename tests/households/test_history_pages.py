"""The admin's edit history of households and members is for reading: scoped like the
change view, with the change view's permissions, ID numbers and mobiles masked for roles
without them, and nothing written through it (no revert)."""

import pytest
from django.urls import reverse

from grids.models import Role
from grids.roles import LEADER
from households.models import Household, Label, mask_id_number, mask_mobile
from monitoring.models import TierChange
from monitoring.services import change_tier
from tests.grids.factories import GridUnitFactory, UserFactory, administrator, community_staff, level
from tests.households.factories import HouseholdFactory, MemberFactory, default_tier, resident_id

pytestmark = pytest.mark.django_db

OLD_PHONE, NEW_PHONE = "13912345678", "13800001234"
OLD_MOBILE, NEW_MOBILE = "13700001111", "13700002222"


@pytest.fixture
def home(grid):
    """A household of the first community with a history: an edit of its phone, a tier
    change, and a member whose mobile and ID number were corrected."""
    household = HouseholdFactory(unit=grid.building_1, phone=OLD_PHONE, origin_county="鲁甸县")
    household.phone = NEW_PHONE
    household.save()
    change_tier(household=household, tier=default_tier("red"), reason="老人住院", by=administrator())
    member = MemberFactory(household=household, name="王小红", mobile=OLD_MOBILE)
    member.old_id_number = member.id_number
    member.mobile = NEW_MOBILE
    member.id_number = resident_id(member.birth_date, male=True)
    member.save()
    household.member = member
    return household


@pytest.fixture
def leader(client):
    return UserFactory(is_staff=True, groups=[LEADER])


@pytest.fixture
def stranger(grid, assign):
    """Community staff of another community of the same street."""
    other = GridUnitFactory(parent=grid.street, level=level("社区"), name="新村社区", code="C9")
    staff = community_staff()
    assign(staff, other, role=Role.COMMUNITY_STAFF)
    return staff


def household_pages(household):
    first = household.history.earliest()
    return [
        reverse("admin:households_household_history", args=[household.pk]),
        reverse("admin:households_household_simple_history", args=[household.pk, first.history_id]),
    ]


def member_pages(member):
    first = member.history.earliest()
    return [
        reverse("admin:households_member_history", args=[member.pk]),
        reverse("admin:households_member_simple_history", args=[member.pk, first.history_id]),
    ]


def revert_data(household, **changes):
    """What the version page's form posted: every field of the household, some changed."""
    data = {
        "number": household.number,
        "status": household.status,
        "building": household.building_id,
        "unit": household.unit_id,
        "entrance": household.entrance,
        "floor": household.floor,
        "room": household.room,
        "phone": household.phone,
        "origin_county": household.origin_county,
    }
    return {**data, **changes}


def test_a_read_only_leader_reads_every_version(home, leader, client):
    client.force_login(leader)

    pages = [client.get(url) for url in household_pages(home) + member_pages(home.member)]

    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    listing, version = pages[0].content.decode(), pages[1].content.decode()
    assert default_tier("red").name in listing
    # A version shows what the household held then, read only: nothing to type into.
    assert default_tier("green").name in version
    assert 'name="phone"' not in version and 'name="origin_county"' not in version
    assert "Revert" not in version and "恢复" not in version


def test_a_read_only_leader_cannot_change_a_household_through_its_history(home, leader, client):
    client.force_login(leader)
    list_url, version_url = household_pages(home)

    posted = [
        client.post(version_url, revert_data(home, phone="13000000000", origin_county="昭阳区")),
        client.post(list_url, revert_data(home, phone="13000000000")),
    ]

    assert [response.status_code for response in posted] == [405, 405]
    home.refresh_from_db()
    assert (home.phone, home.origin_county) == (NEW_PHONE, "鲁甸县")
    assert home.history.count() == 3


def test_an_administrator_cannot_revert_a_tier_either(home, client):
    """A revert wrote the whole old row, tier included, with no TierChange: nothing but
    the tier service moves a tier."""
    client.force_login(administrator())
    changes = TierChange.objects.filter(household=home).count()
    list_url, version_url = household_pages(home)

    posted = [client.post(url, revert_data(home, phone=OLD_PHONE)) for url in (version_url, list_url)]

    assert [response.status_code for response in posted] == [405, 405]
    home.refresh_from_db()
    assert (home.tier, home.phone) == (default_tier("red"), NEW_PHONE)
    assert TierChange.objects.filter(household=home).count() == changes
    assert home.history.count() == 3


def test_community_staff_of_another_community_find_no_history_there(home, stranger, client):
    client.force_login(stranger)
    pages = household_pages(home) + member_pages(home.member)

    got = [client.get(url) for url in pages]
    posted = [client.post(url, revert_data(home, phone="13000000000")) for url in pages]

    assert [r.status_code for r in got + posted] == [404] * 8
    for response in got:
        content = response.content.decode()
        assert home.number not in content and "王小红" not in content
        assert home.member.id_number not in content and NEW_MOBILE not in content
    home.refresh_from_db()
    assert home.phone == NEW_PHONE


def test_a_household_that_no_longer_exists_but_has_history_is_a_404(grid, client):
    gone = HouseholdFactory(unit=grid.building_1, phone=OLD_PHONE)
    pages = household_pages(gone)
    Household.objects.filter(pk=gone.pk).delete()
    client.force_login(administrator())

    assert [client.get(url).status_code for url in pages] == [404, 404]


def test_history_needs_the_view_permission(home, client):
    client.force_login(UserFactory(is_staff=True))

    assert [client.get(url).status_code for url in household_pages(home)] == [403, 403]


def test_a_leader_sees_id_numbers_and_mobiles_masked_on_every_history_page(home, leader, client):
    member = home.member
    client.force_login(leader)

    pages = [client.get(url).content.decode() for url in household_pages(home) + member_pages(member)]

    full = [member.id_number, member.old_id_number, OLD_MOBILE, NEW_MOBILE, OLD_PHONE, NEW_PHONE]
    for page in pages:
        assert not [number for number in full if number in page]
    household_list, household_version, member_list, member_version = pages
    assert mask_mobile(OLD_PHONE) in household_list and mask_mobile(NEW_PHONE) in household_list
    assert mask_mobile(OLD_PHONE) in household_version
    assert mask_mobile(OLD_MOBILE) in member_list and mask_mobile(NEW_MOBILE) in member_list
    assert mask_id_number(member.old_id_number) in member_list
    assert mask_id_number(member.old_id_number) in member_version
    assert mask_mobile(OLD_MOBILE) in member_version


def test_an_administrator_sees_the_full_numbers_of_each_version(home, client):
    member = home.member
    client.force_login(administrator())

    household_list, household_version, member_list, member_version = (
        client.get(url).content.decode() for url in household_pages(home) + member_pages(member)
    )

    assert OLD_PHONE in household_list and NEW_PHONE in household_list
    assert OLD_PHONE in household_version and NEW_PHONE not in household_version
    assert member.old_id_number in member_list and member.id_number in member_list
    assert member.old_id_number in member_version and OLD_MOBILE in member_version


def test_a_version_shows_the_labels_it_had(grid, client):
    household = HouseholdFactory(unit=grid.building_1)
    first = household.history.earliest()
    household.labels.add(Label.objects.get(code="elderly-alone"))
    client.force_login(administrator())

    version = "admin:households_household_simple_history"
    then = client.get(reverse(version, args=[household.pk, first.history_id]))
    now = client.get(reverse(version, args=[household.pk, household.history.latest().history_id]))

    label = Label.objects.get(code="elderly-alone").name
    assert label not in then.content.decode()
    assert label in now.content.decode()


def test_a_version_of_another_record_is_a_404(home, grid, client):
    other = HouseholdFactory(unit=grid.building_1)
    client.force_login(administrator())
    foreign_version = other.history.earliest().history_id

    for version in [foreign_version, "x1", "²"]:  # a superscript passes str.isdigit()
        url = reverse("admin:households_household_simple_history", args=[home.pk, version])
        assert client.get(url).status_code == 404
