"""A household that leaves (moves out, merges, no member living) owes nothing from the
period it left in: what is open is cancelled with the reason, nothing is generated or
marked missed for it, and its tier no longer changes."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from households.models import Household, HouseholdStatus
from households.services import update_household
from monitoring.followups import generate_follow_ups
from monitoring.models import FollowUp, Notification, TierChange
from monitoring.services import change_tier, propose_tier_change
from tests.admin_forms import admin_form_data
from tests.grids.factories import UserFactory, administrator
from tests.households.factories import HouseholdFactory, MemberFactory, default_tier
from tests.monitoring.factories import at

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
D = datetime.date
WEDNESDAY = D(2026, 3, 11)


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(at(WEDNESDAY, 10), tick=False):
        yield


@pytest.fixture
def red(grid, assign):
    from grids.models import Role

    assign(UserFactory(username="floorhead"), grid.floor_1_1, role=Role.FLOOR_HEAD, starts_on=D(2025, 1, 1))
    household = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"))
    with time_machine.travel(at(D(2026, 3, 10), 1), tick=False):
        generate_follow_ups()  # Tuesday's stays open: the hourly job has not run since
    return household


def statuses(household):
    return list(
        FollowUp.objects.filter(household=household)
        .order_by("period_start", "id")
        .values_list("period_start", "status", "cancel_reason")
    )


@pytest.mark.parametrize(
    "status", [HouseholdStatus.MOVED_OUT, HouseholdStatus.MERGED, HouseholdStatus.DECEASED]
)
def test_leaving_cancels_what_is_open_with_the_reason_and_keeps_what_was_owed_before(red, status):
    update_household(household=red, changes={"status": status, "moved_out_on": WEDNESDAY}, by=None)

    (tuesday,) = statuses(red)
    assert tuesday[:2] == (D(2026, 3, 10), "missed")  # owed while the family lived here
    with time_machine.travel(at(D(2026, 3, 12), 1), tick=False):
        assert generate_follow_ups() == 0
    assert not FollowUp.objects.filter(household=red, status="open").exists()


def test_the_open_follow_up_of_the_period_it_left_in_is_cancelled_with_the_reason(red):
    generate_follow_ups()  # Wednesday's, open

    update_household(household=red, changes={"status": "moved_out", "moved_out_on": WEDNESDAY}, by=None)

    assert [s[:2] for s in statuses(red)] == [(D(2026, 3, 10), "missed"), (WEDNESDAY, "cancelled")]
    assert "迁出" in FollowUp.objects.get(household=red, period_start=WEDNESDAY).cancel_reason


def test_a_move_out_saved_in_the_admin_closes_the_follow_ups_too(red, grid, client):
    generate_follow_ups()
    MemberFactory(household=red)
    client.force_login(administrator())
    url = reverse("admin:households_household_change", args=[red.pk])
    member = red.members.get()

    response = client.post(
        url,
        admin_form_data(
            client,
            url,
            number=red.number,
            status="moved_out",
            moved_out_on="2026-03-11",
            building=grid.building_1.pk,
            unit=grid.floor_1_1.pk,
            entrance="1",
            floor="5",
            room=red.room,
            origin_county=red.origin_county,
            **{
                "members-0-id": member.pk,
                "members-0-household": red.pk,
                "members-0-name": member.name,
                "members-0-relation": member.relation,
                "members-0-sex": member.sex,
                "members-0-ethnicity": member.ethnicity,
                "members-0-birth_date": member.birth_date.isoformat(),
                "members-0-id_number": member.id_number,
                "members-0-status": member.status,
            },
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert FollowUp.objects.get(household=red, period_start=WEDNESDAY).status == "cancelled"


def test_a_move_out_through_the_api_closes_the_follow_ups(red, people):
    generate_follow_ups()
    api = APIClient()
    api.force_authenticate(people.staff)
    red.unit = people.household.unit
    red.save()

    response = api.patch(
        f"/api/v1/households/{red.pk}/", {"status": "moved_out", "moved_out_on": "2026-03-11"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert FollowUp.objects.get(household=red, period_start=WEDNESDAY).status == "cancelled"


def test_the_hourly_job_marks_nothing_missed_for_a_household_that_left_by_another_path(red):
    generate_follow_ups()
    # Written around the services (a database console, an old import): the engine
    # still treats the household as gone.
    Household.objects.filter(pk=red.pk).update(status="moved_out", moved_out_on=WEDNESDAY)

    with time_machine.travel(at(D(2026, 3, 12), 1), tick=False):
        generate_follow_ups()

    assert [s[:2] for s in statuses(red)] == [(D(2026, 3, 10), "missed"), (WEDNESDAY, "cancelled")]
    assert not Notification.objects.filter(follow_up__period_start=WEDNESDAY).exists()


def test_a_tier_change_on_a_household_that_left_is_refused(red, people):
    update_household(household=red, changes={"status": "moved_out", "moved_out_on": WEDNESDAY}, by=None)

    with pytest.raises(ValidationError) as refused:
        change_tier(household=red, tier=default_tier("green"), reason="已迁出", by=None)
    with pytest.raises(ValidationError):
        propose_tier_change(household=red, tier=default_tier("green"), reason="已迁出", by=None)

    assert "tier" in refused.value.message_dict
    assert not TierChange.objects.filter(household=red).exists()
    red.refresh_from_db()
    assert red.tier == default_tier("red")


def test_a_household_recorded_as_active_again_owes_only_the_current_period(red):
    update_household(household=red, changes={"status": "moved_out", "moved_out_on": WEDNESDAY}, by=None)

    with time_machine.travel(at(D(2026, 3, 14), 10), tick=False):
        update_household(household=red, changes={"status": "active", "moved_out_on": None}, by=None)
        generate_follow_ups()

    assert [s[:2] for s in statuses(red)] == [(D(2026, 3, 10), "missed"), (D(2026, 3, 14), "open")]


def test_a_registered_household_back_after_weeks_away_owes_nothing_for_them(grid):
    """Its tier set inside the window (registered on 1 March): the engine reads its history,
    and must still not charge it for the days it was away, nor for the day it left."""
    from households.services import register_household

    with time_machine.travel(at(D(2026, 3, 1), 9), tick=False):
        household = register_household(
            household=HouseholdFactory.build(
                unit=grid.building_1, building=grid.building_1, tier=default_tier("red")
            ),
            reason="台账",
            by=None,
        )
    with time_machine.travel(at(D(2026, 3, 5), 10), tick=False):
        update_household(
            household=household, changes={"status": "moved_out", "moved_out_on": D(2026, 3, 5)}, by=None
        )
    with time_machine.travel(at(D(2026, 3, 20), 10), tick=False):
        update_household(household=household, changes={"status": "active", "moved_out_on": None}, by=None)
    with time_machine.travel(at(D(2026, 3, 21), 1), tick=False):
        generate_follow_ups()

    live = FollowUp.objects.filter(household=household).exclude(status="cancelled")
    assert sorted(live.values_list("period_start", flat=True)) == [
        *[D(2026, 3, day) for day in (1, 2, 3, 4)],  # owed before it left
        D(2026, 3, 20),  # owed again from its return
        D(2026, 3, 21),
    ]
    assert not Notification.objects.filter(
        follow_up__period_start__range=(D(2026, 3, 5), D(2026, 3, 19))
    ).exists()


def test_a_move_out_recorded_late_cancels_what_was_marked_missed_after_it(red):
    generate_follow_ups()  # Tuesday missed, Wednesday open
    with time_machine.travel(at(D(2026, 3, 13), 9), tick=False):
        generate_follow_ups()  # Wednesday and Thursday missed; the family had left on Tuesday

        update_household(
            household=red, changes={"status": "moved_out", "moved_out_on": D(2026, 3, 10)}, by=None
        )

    assert [s[:2] for s in statuses(red)] == [
        (D(2026, 3, 10), "cancelled"),  # the day it left owes nothing
        (WEDNESDAY, "cancelled"),
        (D(2026, 3, 12), "cancelled"),
        (D(2026, 3, 13), "cancelled"),
    ]


def test_a_corrected_departure_day_owes_the_days_it_still_lived_here(grid):
    from households.services import register_household

    with time_machine.travel(at(D(2026, 3, 9), 9), tick=False):
        household = register_household(
            household=HouseholdFactory.build(
                unit=grid.building_1, building=grid.building_1, tier=default_tier("red")
            ),
            reason="台账",
            by=None,
        )
    update_household(
        household=household, changes={"status": "moved_out", "moved_out_on": D(2026, 3, 10)}, by=None
    )

    update_household(household=household, changes={"moved_out_on": WEDNESDAY}, by=None)  # it was Wednesday

    live = FollowUp.objects.filter(household=household).exclude(status="cancelled")
    assert list(live.order_by("period_start").values_list("period_start", "status")) == [
        (D(2026, 3, 9), "missed"),
        (D(2026, 3, 10), "missed"),
    ]
