"""Points: earned by the rule table, redeemed for goods, never below zero (also when two
redemptions race), never edited or deleted, undone by a counter-entry."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from services.models import PointEntry, PointRule, RewardItem, Volunteer, VolunteerTeam
from services.points import balance, earn_points, record_service, redeem, reverse_entry
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return {
        "clean": PointRule.objects.create(code="clean", name="楼道卫生", kind="civility", points=10),
        "volunteer": PointRule.objects.create(
            code="vol", name="志愿服务", kind="volunteering", points=5, per_hour=True
        ),
        "oil": RewardItem.objects.create(name="食用油", points=30, stock=10),
    }


def test_earn_redeem_and_the_balance_after_each_line(people, shop):
    earn_points(household=people.household, rule=shop["clean"], by=people.staff)
    earn_points(household=people.household, rule=shop["volunteer"], hours=3.5, by=people.staff)

    assert list(PointEntry.objects.order_by("id").values_list("kind", "points", "balance")) == [
        ("earn", 10, 10),
        ("earn", 18, 28),  # 5 a hour for 3.5 hours, rounded up
    ]
    with pytest.raises(ValidationError):
        redeem(household=people.household, item=shop["oil"], quantity=1, by=people.staff)


def test_a_redemption_that_would_overdraw_is_refused_with_nothing_written(people, shop):
    earn_points(household=people.household, rule=shop["clean"], by=people.staff)

    with pytest.raises(ValidationError) as refused:
        redeem(household=people.household, item=shop["oil"], quantity=1, by=people.staff)

    assert "quantity" in refused.value.message_dict
    assert PointEntry.objects.count() == 1 and balance(people.household) == 10
    shop["oil"].refresh_from_db()
    assert shop["oil"].stock == 10


def test_stock_runs_out(people, shop):
    for _ in range(10):
        earn_points(household=people.household, rule=shop["clean"], by=people.staff)

    with pytest.raises(ValidationError):
        redeem(
            household=people.household,
            item=RewardItem.objects.create(name="米", points=1, stock=0),
            quantity=1,
            by=people.staff,
        )


def test_the_database_refuses_a_negative_balance_whatever_the_code_does(people):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PointEntry.objects.create(
            household=people.household, kind="reversal", points=-5, balance=-5, reason="x", by=people.staff
        )


def test_entries_are_never_edited_or_deleted_but_reversed(people, shop):
    entry = earn_points(household=people.household, rule=shop["clean"], by=people.staff)

    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    counter = reverse_entry(entry=entry, reason="记错了户", by=people.staff)

    assert (counter.points, counter.balance, counter.reverses) == (-10, 0, entry)
    with pytest.raises(ValidationError):
        reverse_entry(entry=entry, reason="again", by=people.staff)


def test_reversing_a_redemption_puts_the_goods_back(people, shop):
    for _ in range(3):
        earn_points(household=people.household, rule=shop["clean"], by=people.staff)
    spent = redeem(household=people.household, item=shop["oil"], quantity=1, by=people.staff)

    reverse_entry(entry=spent, reason="退货", by=people.staff)

    shop["oil"].refresh_from_db()
    assert shop["oil"].stock == 10 and balance(people.household) == 30


def test_volunteering_earns_the_volunteers_household_points(people, grid, shop):
    from households.models import Member

    member = Member.objects.get(household=people.household)
    volunteer = Volunteer.objects.create(
        team=VolunteerTeam.objects.create(name="红马甲", unit=grid.community), member=member
    )

    record = record_service(
        volunteer=volunteer, rule=shop["volunteer"], hours=2, on=volunteer.joined_on, by=people.staff
    )

    assert record.entry.points == 10 and balance(people.household) == 10


def test_the_points_page_redeems_and_shows_the_refusal(people, client, shop):
    for _ in range(3):
        earn_points(household=people.household, rule=shop["clean"], by=people.staff)
    client.force_login(people.staff)
    url = reverse("services:points", args=[people.household.pk])

    client.post(url, {"action": "redeem", "item": shop["oil"].pk, "quantity": 1, "key": str(uuid.uuid4())})
    refused = client.post(
        url, {"action": "redeem", "item": shop["oil"].pk, "quantity": 1, "key": str(uuid.uuid4())}
    )

    assert balance(people.household) == 0
    assert refused.status_code == 400 and refused.context["redeem_form"].errors["quantity"]
    client.force_login(people.worker)
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "earn", "rule": shop["clean"].pk}).status_code == 403
    assert client.get(reverse("services:points", args=[people.outside.pk])).status_code == 404


def test_a_redemption_sent_twice_from_the_points_page_spends_the_points_once(people, client, shop):
    for _ in range(6):
        earn_points(household=people.household, rule=shop["clean"], by=people.staff)
    client.force_login(people.staff)
    url = reverse("services:points", args=[people.household.pk])
    key = client.get(url).context["redeem_form"]["key"].value()
    form = {"action": "redeem", "item": shop["oil"].pk, "quantity": 1, "key": str(key)}

    client.post(url, form)
    again = client.post(url, form, follow=True)

    assert balance(people.household) == 30
    assert PointEntry.objects.filter(household=people.household, item=shop["oil"]).count() == 1
    assert "已兑换" in [str(m) for m in again.context["messages"]][-1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="two connections need PostgreSQL")
def test_two_redemptions_racing_spend_the_points_once(people, shop):
    earn_points(household=people.household, rule=shop["clean"], by=people.staff)
    earn_points(household=people.household, rule=shop["clean"], by=people.staff)
    earn_points(household=people.household, rule=shop["clean"], by=people.staff)  # 30: one bottle
    outcomes = at_once(
        lambda: redeem(household=people.household, item=shop["oil"], quantity=1, by=people.staff)
    )

    assert sorted("refused" if isinstance(o, ValidationError) else "redeemed" for o in outcomes) == [
        "redeemed",
        "refused",
    ]
    assert balance(people.household) == 0
    assert PointEntry.objects.filter(kind="redeem").count() == 1
    assert connection.vendor == "postgresql"


def test_reversing_points_already_spent_is_refused_beside_the_reason(people, shop):
    earned = [earn_points(household=people.household, rule=shop["clean"], by=people.staff) for _ in range(3)]
    redeem(household=people.household, item=shop["oil"], quantity=1, by=people.staff)  # spends all 30

    with pytest.raises(ValidationError) as refused:
        reverse_entry(entry=earned[0], reason="记错了户", by=people.staff)

    assert list(refused.value.message_dict) == ["reason"]
    assert balance(people.household) == 0
