"""The agenda of a monthly review: who is on it, and why, each household once."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from employment.models import WarningKind
from households.models import Household
from reviews.agenda import Why, build_agenda
from tests.grids.factories import community_staff
from tests.households.factories import default_tier
from tests.reviews.factories import WarningFactory, at, missed

pytestmark = pytest.mark.django_db


def agenda_of(scene, user=None, month=None):
    return build_agenda(
        unit=scene.grid.community, month=month or scene.month, user=user or scene.people.staff
    )


def test_the_agenda_lists_each_household_once_with_why_on_one_line(scene):
    agenda = agenda_of(scene)

    reasons = {pk: set(row.why) for pk, row in agenda.rows.items()}
    assert reasons == {
        scene.warned.pk: {Why.NEW_WARNING},
        scene.proposed.pk: {Why.PROPOSAL},
        scene.missed.pk: {Why.MISSED},
        scene.late.pk: {Why.CASE},
        scene.escalated.pk: {Why.CASE},
        scene.zero.pk: {Why.ZERO_EMPLOYMENT},
        scene.poor.pk: {Why.LOW_INCOME},
        scene.stale.pk: {Why.STALE},
    }
    assert "2" in agenda.rows[scene.missed.pk].facts  # two missed this month
    assert "2026-11-20" in agenda.rows[scene.late.pk].facts


def test_a_household_with_several_reasons_is_listed_once_with_all_of_them(scene):
    WarningFactory(household=scene.zero, kind=WarningKind.LOW_INCOME, raised_at=timezone.now())
    missed(scene.zero, datetime.date(2026, 11, 1), datetime.date(2026, 11, 22))

    row = agenda_of(scene).rows[scene.zero.pk]

    assert set(row.why) == {Why.ZERO_EMPLOYMENT, Why.LOW_INCOME, Why.NEW_WARNING, Why.MISSED}
    assert row.facts.count(" · ") == 3


def test_one_missed_follow_up_or_misses_of_another_month_are_not_enough(scene):
    missed(scene.calm, datetime.date(2026, 11, 10), datetime.date(2026, 10, 25))

    assert scene.calm.pk not in agenda_of(scene).rows


def test_a_warning_raised_in_another_month_is_not_new_and_a_cleared_one_not_open(scene):
    WarningFactory(
        household=scene.calm,
        kind=WarningKind.ZERO_EMPLOYMENT,
        raised_at=at(datetime.date(2026, 10, 2)),
        cleared_at=at(datetime.date(2026, 10, 20)),
    )

    assert scene.calm.pk not in agenda_of(scene).rows


def test_octobers_agenda_has_octobers_new_warnings_and_not_novembers(scene):
    october = agenda_of(scene, month=datetime.date(2026, 10, 1))

    assert scene.warned.pk not in october.rows


def test_a_tier_is_stale_after_the_set_time_without_change_or_review(scene, settings):
    settings.REVIEW_TIER_STALE_DAYS = 365

    assert scene.stale.pk not in agenda_of(scene).rows


def test_a_household_registered_long_ago_without_tier_history_counts_from_registration(scene):
    Household.objects.filter(pk=scene.calm.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )

    row = agenda_of(scene).rows[scene.calm.pk]

    assert set(row.why) == {Why.STALE}
    assert "400" in row.facts


def test_a_household_that_moved_out_is_not_on_the_agenda(scene):
    Household.objects.filter(pk=scene.zero.pk).update(
        status="moved_out", moved_out_on=datetime.date(2026, 11, 2)
    )

    assert scene.zero.pk not in agenda_of(scene).rows


def test_staff_of_an_area_see_only_their_area_on_the_agenda(scene, assign):
    east = community_staff(username="east")
    assign(east, scene.grid.area_east, role="community_staff", starts_on=datetime.date(2020, 1, 1))

    agenda = build_agenda(unit=scene.grid.area_east, month=scene.month, user=east)

    assert scene.late.pk in agenda.rows and scene.escalated.pk not in agenda.rows  # building 3 is west


def test_the_agenda_page_shows_the_facts_and_counts_by_reason(scene, client):
    client.force_login(scene.people.staff)

    response = client.get(reverse("reviews:agenda"), {"unit": scene.grid.community.pk, "month": "2026-11"})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-household="{scene.proposed.pk}"' in html and f'data-household="{scene.calm.pk}"' not in html
    assert response.context["counts"][Why.CASE] == 2
    # Red first: the most urgent tier leads the agenda.
    assert [row.household.tier.severity for row in response.context["rows"]] == sorted(
        row.household.tier.severity for row in response.context["rows"]
    )


def test_the_agenda_page_filters_by_one_reason(scene, client):
    client.force_login(scene.people.staff)

    response = client.get(
        reverse("reviews:agenda"), {"unit": scene.grid.community.pk, "month": "2026-11", "why": Why.PROPOSAL}
    )

    assert [row.household_id for row in response.context["rows"]] == [scene.proposed.pk]


def test_staff_land_on_their_own_communitys_agenda_for_this_month(scene, client):
    client.force_login(scene.people.staff)

    response = client.get(reverse("reviews:agenda"))

    assert response.status_code == 200
    assert response.context["unit"] == scene.grid.community and response.context["month"] == scene.month


def test_a_unit_outside_the_scope_is_not_there_and_a_month_to_come_is_refused(scene, client, assign):
    east = community_staff(username="east")
    assign(east, scene.grid.area_east, role="community_staff", starts_on=datetime.date(2020, 1, 1))
    client.force_login(east)

    outside = client.get(reverse("reviews:agenda"), {"unit": scene.grid.area_west.pk, "month": "2026-11"})
    future = client.get(reverse("reviews:agenda"), {"unit": scene.grid.area_east.pk, "month": "2026-12"})
    garbled = client.get(reverse("reviews:agenda"), {"unit": scene.grid.area_east.pk, "month": "11/2026"})

    assert outside.status_code == 404
    assert future.status_code == 400 and "month" in future.context["choice"].errors
    assert garbled.status_code == 400


def test_a_grid_worker_has_no_agenda(scene, client):
    client.force_login(scene.people.worker)

    assert client.get(reverse("reviews:agenda")).status_code == 403
    assert client.get(reverse("reviews:list")).status_code == 403


def test_households_of_other_schemes_offer_their_own_tiers(scene, client):
    client.force_login(scene.people.staff)

    response = client.get(reverse("reviews:agenda"), {"unit": scene.grid.community.pk, "month": "2026-11"})

    row = next(r for r in response.context["rows"] if r.household_id == scene.proposed.pk)
    offered = [label for value, label in row.form.options["tier"] if value]
    assert offered == [default_tier("red").name, default_tier("green").name]


def test_reviews_are_held_for_units_above_the_buildings_only(scene, client):
    client.force_login(scene.people.staff)

    response = client.get(reverse("reviews:agenda"), {"unit": scene.grid.community.pk, "month": "2026-11"})
    floor = client.get(reverse("reviews:agenda"), {"unit": scene.grid.floor_1_1.pk, "month": "2026-11"})

    offered = set(response.context["choice"].fields["unit"].queryset)
    assert offered == {scene.grid.community, scene.grid.area_east, scene.grid.area_west}
    assert floor.status_code == 404
