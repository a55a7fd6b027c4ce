"""The 爱心超市 counter: a household found by its door card or its room (POSTed), its
balance and the goods as buttons; a tap asks, a second tap redeems, once."""

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services.door_cards import door_card_token, issue_door_card
from services.models import EntryKind, PointEntry, PointRule, RewardItem
from services.points import balance, earn_points
from tests.households.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
URL = "/points/counter/"


@pytest.fixture
def shop(people):
    clean = PointRule.objects.create(code="clean", name="楼道卫生", kind="civility", points=10)
    for _ in range(4):  # 40 points
        earn_points(household=people.household, rule=clean, by=people.staff)
    return {
        "clean": clean,
        "oil": RewardItem.objects.create(name="食用油", points=30, stock=10),
        "soap": RewardItem.objects.create(name="肥皂", points=5, stock=3),
        "rice": RewardItem.objects.create(name="大米", points=100, stock=5),
    }


@pytest.fixture
def staff(people, client):
    client.cookies["django_language"] = "en"
    client.force_login(people.staff)
    return client


def look_up(client, **data):
    return client.post(URL, {"action": "lookup", "code": "", "building": "", "room": "", **data})


def choose(client, household, item):
    return client.post(URL, {"action": "choose", "household": household.pk, "item": item.pk})


def confirm_key(response) -> str:
    return re.search(r'name="key" value="([0-9a-f-]{36})"', response.content.decode()).group(1)


def test_the_counter_is_a_posted_lookup_form(staff):
    response = staff.get(URL)

    assert response.status_code == 200
    assert reverse("services:counter") == URL
    assert b'name="code"' in response.content and b'method="post"' in response.content


def test_a_scanned_door_card_finds_the_household_with_its_balance_and_the_goods(people, staff, shop):
    card = issue_door_card(household=people.household, by=people.staff)
    scanned = "http://127.0.0.1:8000" + reverse("services:help", args=[door_card_token(card)])

    response = look_up(staff, code=scanned)

    assert response.status_code == 200
    assert response.context["household"] == people.household
    assert response.context["balance"] == 40
    assert response.context["head"] == "王小红"
    page = response.content.decode()
    assert "1栋 1-501" in page and people.household.number in page
    assert [(i.name, i.affordable) for i in response.context["items"]] == [
        ("肥皂", True),
        ("食用油", True),
        ("大米", False),
    ]
    # The token alone, typed, finds it too.
    assert look_up(staff, code=door_card_token(card)).context["household"] == people.household


def test_a_building_and_room_find_the_household(people, grid, staff, shop):
    response = look_up(staff, building=grid.building_1.pk, room="501")
    with_entrance = look_up(staff, building=grid.building_1.pk, room="1-501")

    assert response.status_code == 200 and response.context["household"] == people.household
    assert with_entrance.context["household"] == people.household


def test_the_same_room_in_two_entrances_is_a_choice(people, grid, staff, shop):
    other = HouseholdFactory(unit=grid.floor_1_1, entrance=2, room="501", floor=5)

    response = look_up(staff, building=grid.building_1.pk, room="501")
    chosen = staff.post(URL, {"action": "show", "household": other.pk})

    assert response.context["household"] is None
    assert response.context["matches"] == [people.household, other]
    assert chosen.context["household"] == other


def test_an_unknown_revoked_or_out_of_scope_card_is_refused_alike(people, staff, shop):
    old = issue_door_card(household=people.household, by=people.staff)
    issue_door_card(household=people.household, by=people.staff)  # revokes the old one
    outside = issue_door_card(household=people.outside, by=people.staff)
    client = staff
    client.force_login(people.worker)  # building 1 only: the outside household is not theirs

    refusals = [
        look_up(client, code="nonsense"),
        look_up(client, code=door_card_token(old)),
        look_up(client, code=door_card_token(outside)),
    ]

    for refused in refusals:
        assert refused.status_code == 400
        assert refused.context["household"] is None
        assert "No household in your scope has this door card." in refused.content.decode()


def test_a_room_outside_the_scope_or_nobody_s_is_refused(people, grid, staff, shop):
    from tests.grids.factories import GridUnitFactory, level

    elsewhere = GridUnitFactory(parent=grid.street, level=level("社区"), name="红路社区", code="C2")
    foreign = GridUnitFactory(parent=elsewhere, level=level("楼栋"), name="9栋", code="C2B9")
    HouseholdFactory(unit=foreign, room="101")

    outside = look_up(staff, building=foreign.pk, room="101")
    empty = look_up(staff, building=grid.building_1.pk, room="999")
    nothing = look_up(staff)
    malformed = look_up(staff, building=grid.building_1.pk, room="5楼01")

    assert outside.status_code == 400 and outside.context["form"].errors["building"]
    assert empty.status_code == 400 and "No household lives at this room." in empty.content.decode()
    assert nothing.status_code == 400 and nothing.context["form"].non_field_errors()
    assert malformed.status_code == 400 and malformed.context["form"].errors["room"]
    # Nothing about the search is in a URL.
    assert "101" not in outside.request["PATH_INFO"] and outside.request["REQUEST_METHOD"] == "POST"


def test_a_tap_asks_and_a_second_tap_redeems(people, staff, shop):
    asked = choose(staff, people.household, shop["oil"])

    assert asked.status_code == 200
    assert "食用油" in asked.content.decode() and asked.context["confirm"]["after"] == 10
    assert balance(people.household) == 40  # nothing spent on the first tap

    done = staff.post(
        URL,
        {
            "action": "redeem",
            "household": people.household.pk,
            "item": shop["oil"].pk,
            "key": confirm_key(asked),
        },
    )

    assert done.status_code == 200
    assert balance(people.household) == 10 and done.context["balance"] == 10
    entry = PointEntry.objects.get(kind=EntryKind.REDEEM)
    assert (entry.item, entry.quantity, entry.points, entry.by) == (shop["oil"], 1, -30, people.staff)
    assert RewardItem.objects.get(pk=shop["oil"].pk).stock == 9
    assert "食用油 × 1" in done.content.decode()


def test_a_double_tap_redeems_once(people, staff, shop):
    key = confirm_key(choose(staff, people.household, shop["soap"]))
    data = {"action": "redeem", "household": people.household.pk, "item": shop["soap"].pk, "key": key}

    first = staff.post(URL, data)
    second = staff.post(URL, data)

    assert first.status_code == second.status_code == 200
    assert PointEntry.objects.filter(kind=EntryKind.REDEEM).count() == 1
    assert balance(people.household) == 35
    assert RewardItem.objects.get(pk=shop["soap"].pk).stock == 2
    assert second.context["redeemed"].pk == first.context["redeemed"].pk


def test_a_key_used_again_for_another_item_is_refused(people, staff, shop):
    key = confirm_key(choose(staff, people.household, shop["soap"]))
    staff.post(
        URL, {"action": "redeem", "household": people.household.pk, "item": shop["soap"].pk, "key": key}
    )

    reused = staff.post(
        URL, {"action": "redeem", "household": people.household.pk, "item": shop["oil"].pk, "key": key}
    )

    assert reused.status_code == 400
    assert PointEntry.objects.filter(kind=EntryKind.REDEEM).count() == 1


def test_not_enough_points_is_refused_with_a_clear_message_on_either_tap(people, staff, shop):
    asked = choose(staff, people.household, shop["rice"])
    key = "0b0f6a4e-1c0e-4f0e-9a39-8f7c2a1b9d00"
    forced = staff.post(
        URL, {"action": "redeem", "household": people.household.pk, "item": shop["rice"].pk, "key": key}
    )

    for refused in (asked, forced):
        assert refused.status_code == 400
        assert "Not enough points: 40, and this needs 100." in refused.content.decode()
    assert asked.context["confirm"] is None
    assert balance(people.household) == 40
    assert not PointEntry.objects.filter(kind=EntryKind.REDEEM).exists()


def test_redeeming_without_the_confirmation_s_key_writes_nothing(people, staff, shop):
    response = staff.post(URL, {"action": "redeem", "household": people.household.pk, "item": shop["oil"].pk})

    assert response.status_code == 400
    assert balance(people.household) == 40


def test_a_household_outside_the_scope_cannot_be_shown_or_redeemed_for(people, grid, staff, shop):
    from tests.grids.factories import GridUnitFactory, level

    elsewhere = GridUnitFactory(parent=grid.street, level=level("社区"), name="红路社区", code="C2")
    foreign = HouseholdFactory(unit=GridUnitFactory(parent=elsewhere, level=level("楼栋"), code="C2B9"))
    earn_points(household=foreign, rule=shop["clean"], by=people.staff)

    shown = staff.post(URL, {"action": "show", "household": foreign.pk})
    chosen = choose(staff, foreign, shop["soap"])
    redeemed = staff.post(
        URL,
        {
            "action": "redeem",
            "household": foreign.pk,
            "item": shop["soap"].pk,
            "key": "0b0f6a4e-1c0e-4f0e-9a39-8f7c2a1b9d00",
        },
    )

    assert (shown.status_code, chosen.status_code, redeemed.status_code) == (404, 404, 404)
    assert balance(foreign) == 10


def test_who_only_sees_points_finds_households_but_does_not_redeem(people, client, shop):
    client.force_login(people.worker)  # as on the points page: balances, not the shop

    found = look_up(
        client, code=door_card_token(issue_door_card(household=people.household, by=people.staff))
    )
    chosen = choose(client, people.household, shop["oil"])

    assert found.status_code == 200 and found.context["balance"] == 40
    assert b"data-items" not in found.content
    assert chosen.status_code == 403
    assert balance(people.household) == 40


def test_the_counter_s_queries_do_not_grow_with_the_goods_or_the_ledger(people, staff, shop):
    def count(action):
        with CaptureQueriesContext(connection) as queries:
            action()
        return len(queries)

    def steps():
        card = door_card_token(issue_door_card(household=people.household, by=people.staff))
        redeem = {"action": "redeem", "household": people.household.pk, "item": shop["soap"].pk}
        return [
            lambda: look_up(staff, code=card),
            lambda: choose(staff, people.household, shop["soap"]),
            lambda: staff.post(URL, {**redeem, "key": str(uuid.uuid4())}),
        ]

    staff.get(URL)  # the session's first request of the minute writes its last-seen time
    few = [count(step) for step in steps()]
    for n in range(20):
        RewardItem.objects.create(name=f"物品{n}", points=1 + n, stock=5)
        earn_points(household=people.household, rule=shop["clean"], by=people.staff)
    many = [count(step) for step in steps()]

    assert few == many, (few, many)
    # Lookup 14, first tap 14, second tap 23 (the redemption under its locks, then the
    # household shown again), of which 8 are the session, permissions and the page's badges.
    assert max(many) <= 24, many


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="two connections need PostgreSQL")
def test_a_double_tap_arriving_at_once_redeems_once(people, shop):
    import uuid

    from services.points import redeem
    from tests.concurrency import at_once

    key = uuid.uuid4()
    outcomes = at_once(
        lambda: redeem(household=people.household, item=shop["soap"], quantity=1, by=people.staff, key=key)
    )

    assert sorted(o.replayed for o in outcomes) == [False, True]
    assert PointEntry.objects.filter(kind=EntryKind.REDEEM).count() == 1
    assert balance(people.household) == 35
