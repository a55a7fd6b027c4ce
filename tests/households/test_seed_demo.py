"""seed_demo builds a believable settlement that hangs together."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from common.validators import validate_resident_id
from grids.demo import DEMO_USERS
from grids.models import Assignment, GridUnit, Role
from households.models import Household, Member
from monitoring.models import TierChange, TierSnapshot

pytestmark = pytest.mark.django_db

HOUSEHOLDS = 600


@pytest.fixture
def seeded():
    call_command("seed_demo", households=HOUSEHOLDS, no_progress=True, password="demo-pass-1")


def test_it_builds_the_households_with_members_and_a_tier_history(seeded):
    assert Household.objects.count() == HOUSEHOLDS
    assert TierChange.objects.filter(from_tier__isnull=True).count() == HOUSEHOLDS
    assert not Household.objects.filter(members__isnull=True).exists()
    assert Member.objects.filter(relation="head").count() == HOUSEHOLDS
    assert 3.2 < Member.objects.count() / HOUSEHOLDS < 4.2
    # Each history is a chain that ends in the household's tier.
    for household in Household.objects.all()[:200]:
        changes = list(household.tier_changes.order_by("changed_at", "id"))
        assert [c.from_tier_id for c in changes[1:]] == [c.to_tier_id for c in changes[:-1]]
        assert changes[-1].to_tier_id == household.tier_id
        assert household.tier_changed_at == changes[-1].changed_at


def test_every_member_passes_the_validation_forms_apply(seeded):
    refused = []
    for member in Member.objects.select_related("household")[:300]:
        try:
            validate_resident_id(member.id_number)
            member.full_clean()
        except ValidationError as error:
            refused.append(
                (member.pk, error.message_dict if hasattr(error, "error_dict") else error.messages)
            )

    assert refused == []


def test_every_household_is_valid_and_in_its_schemes_tier(seeded):
    refused = []
    for household in Household.objects.select_related("unit", "tier")[:200]:
        try:
            household.full_clean()
        except ValidationError as error:
            refused.append((household.number, error.message_dict))

    assert refused == []


def test_the_tier_mix_starts_as_ludians_did_and_moves_as_it_did(seeded):
    three = Household.objects.filter(tier__scheme__code="three-colour")
    first = TierChange.objects.filter(from_tier__isnull=True, household__in=three)

    def share(rows, field, code):
        return rows.filter(**{field: code}).count() / rows.count()

    assert 0.025 < share(first, "to_tier__code", "red") < 0.055
    assert 0.75 < share(first, "to_tier__code", "green") < 0.86
    # Four years on (鲁甸: red 0.4 %, green 97.1 %).
    assert share(three, "tier__code", "red") < 0.02
    assert share(three, "tier__code", "green") > 0.93
    # 东川: 951 monitoring households of 7,081 start red; 667 of them have turned orange.
    four = Household.objects.filter(tier__scheme__code="four-colour")
    first_four = TierChange.objects.filter(from_tier__isnull=True, household__in=four)
    assert 0.09 < share(first_four, "to_tier__code", "red") < 0.18
    assert 0.01 < share(four, "tier__code", "red") < 0.08
    assert 0.05 < share(four, "tier__code", "orange") < 0.14


@pytest.mark.dates
def test_the_daily_counts_tell_the_story_for_the_trend_chart(seeded, test_today):
    community = GridUnit.objects.filter(
        level__name="社区", own_tier_scheme__scheme__code="three-colour"
    ).first()
    days = (
        TierSnapshot.objects.filter(unit=community).order_by("day").values_list("day", flat=True).distinct()
    )
    first, last = days[0], days[len(days) - 1]

    def red_share(day):
        rows = TierSnapshot.objects.filter(unit=community, day=day)
        return sum(r.households for r in rows if r.tier.code == "red") / sum(r.households for r in rows)

    assert len(days) > 20
    assert last == test_today - datetime.timedelta(days=1)  # the last day that ended
    assert red_share(first) > 0.02 > red_share(last)


def test_grid_workers_cover_about_fifteen_households(seeded):
    floor_heads = Assignment.objects.filter(role=Role.FLOOR_HEAD).values("user").distinct().count()

    assert 12 < HOUSEHOLDS / floor_heads < 18


def test_buildings_carry_symbols(seeded):
    buildings = GridUnit.objects.filter(level__is_building=True)

    assert buildings.exists()
    assert not buildings.filter(symbol="").exists()


def test_every_demo_user_can_log_in_and_sees_their_grid(seeded, client):
    for username, _role, _description in DEMO_USERS:
        assert client.login(username=username, password="demo-pass-1"), username
        assert client.get(reverse("monitoring:today")).status_code == 200
        client.logout()


def test_the_demo_staff_reach_the_admin_and_a_floor_head_sees_fifteen_or_so(seeded, client):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    assert client.login(username="staff", password="demo-pass-1")
    assert client.get(reverse("admin:households_household_changelist")).status_code == 200
    floor = User.objects.get(username="floor")
    assert 12 <= Household.objects.visible_to(floor).count() <= 18
    assert Household.objects.visible_to(User.objects.get(username="leader")).count() == HOUSEHOLDS


def test_it_refuses_to_seed_twice_unless_asked_to_skip(seeded):
    with pytest.raises(CommandError, match="already holds"):
        call_command("seed_demo", households=10, no_progress=True)

    call_command("seed_demo", households=10, no_progress=True, if_empty=True)

    assert Household.objects.count() == HOUSEHOLDS


def test_it_refuses_nonsense(db):
    with pytest.raises(CommandError, match="--households"):
        call_command("seed_demo", households=0, no_progress=True)


@pytest.mark.dates  # the week replayed ends today, whatever day that is
def test_a_week_of_visits_leaves_most_done_and_some_missed(seeded):
    from django.contrib.auth import get_user_model

    from monitoring.models import FollowUp, FollowUpStatus, Visit

    done = FollowUp.objects.filter(status=FollowUpStatus.DONE).count()
    missed = FollowUp.objects.filter(status=FollowUpStatus.MISSED).count()
    assert Visit.objects.count() == done > 0
    assert 0 < missed < done
    worker = get_user_model().objects.get(username="worker")
    assert worker.profile.mobile == "13800138000"


@pytest.mark.dates
def test_community_staff_see_employment_overdue_cases_and_points(seeded, client, test_today):
    from services.models import PointEntry

    client.force_login(get_user_model().objects.get(username="staff"))
    community = Assignment.objects.get(user__username="staff").unit

    figures = client.get(reverse("employment:figures"), {"unit": community.code}).context["total"]
    overdue = client.get(reverse("services:cases"), {"overdue": "on"}).context["page"]
    with_points = (
        PointEntry.objects.filter(household__unit__path__startswith=community.path).first().household
    )
    points = client.get(reverse("services:points", args=[with_points.pk]))

    from employment.models import EmploymentWarning

    jobless = EmploymentWarning.objects.filter(
        kind="zero_employment", cleared_at__isnull=True, household__unit__path__startswith=community.path
    )
    assert 90 <= figures.rate <= 97
    assert figures.zero_employment == jobless.count()
    from services.models import ServiceCase

    late = ServiceCase.objects.filter(
        status__in=["open", "in_progress", "reopened"],
        due_on__lt=test_today,
        household__unit__path__startswith=community.path,
    )
    assert overdue.paginator.count == late.count()
    assert ServiceCase.objects.exclude(level="building").exists()  # the late ones went up
    assert points.status_code == 200 and points.context["balance"] >= 0 and points.context["ledger"]


@pytest.mark.django_db
def test_the_demo_password_must_meet_the_password_rules():
    with pytest.raises(CommandError, match="--password"):
        call_command("seed_demo", households=1, no_progress=True, password="hhl-demo-two")


def test_the_demo_has_the_three_separated_administrators(seeded, client):
    audit_log = reverse("admin:audit_auditevent_changelist")
    users = reverse("admin:auth_user_changelist")
    households = reverse("admin:households_household_changelist")

    def answers(username):
        client.login(username=username, password="demo-pass-1")
        codes = [client.get(url).status_code for url in (audit_log, users, households)]
        client.logout()
        return codes

    # The system administrator configures and reads no audit log; the security
    # administrator manages accounts and sees no household; the auditor reads the log only.
    assert answers("admin") == [403, 200, 200]
    assert answers("security") == [403, 200, 403]
    assert answers("auditor") == [200, 403, 403]
