"""A small settlement with a known October 2026, for checking a report by hand.

The community 铜源社区 (the ``grid`` fixture) at the end of October:
- h1 (1栋 1层): red since 10 October (was yellow): worse; a member in gig work; income 7,000.
- h2 (2栋): green since 20 October (was yellow): calmer; a member in the labour force
  without work (a zero-employment household); income 9,000.
- h3 (3栋): green all along; a member outside the labour force; income 15,000.
- h4 (3栋): yellow in October, red on 5 November; a migrant worker and a job seeker; no
  income recorded.
- h5 (3栋): moved out on 15 October: not counted.
"""

import datetime
import types

from django.db.models import F

from employment.models import LabourStatus
from employment.rules import evaluate_warnings
from households.models import Household, Relation
from monitoring.models import FollowUp, FollowUpStatus, TierChange, Visit
from services.models import CaseEvent, CaseStatus, EntryKind, EventKind, PointEntry, ServiceCase
from tests.employment.factories import IncomeRecordFactory, LabourRecordFactory
from tests.grids.factories import UserFactory
from tests.households.factories import HouseholdFactory, MemberFactory, default_tier
from tests.monitoring.factories import at

D = datetime.date
OCTOBER = D(2026, 10, 1)


def tier_history(household, *steps):
    """(day, tier code) steps: the first opens the history, each next one changes the tier."""
    before = None
    for day, code in steps:
        tier = default_tier(code)
        TierChange.objects.create(
            household=household, from_tier=before, to_tier=tier, reason="评定", changed_at=at(day)
        )
        before = tier
    Household.objects.filter(pk=household.pk).update(tier=before, tier_changed_at=at(steps[-1][0]))


def follow_up(household, worker, due, status):
    return FollowUp.objects.create(
        household=household,
        tier=household.tier,
        period_start=due - datetime.timedelta(days=6),
        period_end=due,
        due_on=due,
        status=status,
        assignee=worker,
    )


def case(household, opened, due, *, resolved=None, category="dibao"):
    c = ServiceCase.objects.create(
        household=household, category=category, description="需要帮助", opened_at=at(opened), due_on=due
    )
    CaseEvent.objects.create(case=c, kind=EventKind.OPENED, at=at(opened))
    if resolved:
        CaseEvent.objects.create(case=c, kind=EventKind.STATUS, status=CaseStatus.RESOLVED, at=at(resolved))
        ServiceCase.objects.filter(pk=c.pk).update(status=CaseStatus.RESOLVED)
    return c


def points(household, kind, n, day, by, hour=10):
    last = PointEntry.objects.filter(household=household).order_by("-id").first()
    balance = (last.balance if last else 0) + n
    return PointEntry.objects.create(
        household=household, kind=kind, points=n, balance=balance, reason="积分", by=by, at=at(day, hour)
    )


def october_settlement(grid):
    s = types.SimpleNamespace()
    s.worker_a = UserFactory(username="wang", last_name="王", first_name="芳")
    s.worker_b = UserFactory(username="zhao", last_name="赵", first_name="强")
    s.h1 = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("yellow"), phone="13912345678")
    s.h2 = HouseholdFactory(unit=grid.building_2, tier=default_tier("yellow"))
    s.h3 = HouseholdFactory(unit=grid.building_3, tier=default_tier("green"))
    s.h4 = HouseholdFactory(unit=grid.building_3, tier=default_tier("yellow"))
    s.h5 = HouseholdFactory(
        unit=grid.building_3, tier=default_tier("red"), status="moved_out", moved_out_on=D(2026, 10, 15)
    )
    Household.objects.update(relocated_on=D(2025, 1, 1))
    tier_history(s.h1, (D(2026, 9, 1), "yellow"), (D(2026, 10, 10), "red"))
    tier_history(s.h2, (D(2026, 9, 1), "yellow"), (D(2026, 10, 20), "green"))
    tier_history(s.h4, (D(2026, 9, 1), "yellow"), (D(2026, 11, 5), "red"))
    for h in (s.h1, s.h2, s.h3, s.h4, s.h5):
        h.refresh_from_db()

    # Follow-ups due in October: 4 counted (one cancelled, one due in November).
    follow_up(s.h1, s.worker_a, D(2026, 10, 5), FollowUpStatus.DONE)
    follow_up(s.h1, s.worker_a, D(2026, 10, 12), FollowUpStatus.MISSED)
    follow_up(s.h2, s.worker_a, D(2026, 10, 31), FollowUpStatus.DONE)
    follow_up(s.h3, s.worker_b, D(2026, 10, 31), FollowUpStatus.MISSED)
    follow_up(s.h4, s.worker_b, D(2026, 10, 31), FollowUpStatus.CANCELLED)
    follow_up(s.h4, s.worker_b, D(2026, 11, 6), FollowUpStatus.OPEN)
    for household, day in ((s.h1, D(2026, 10, 5)), (s.h2, D(2026, 10, 30)), (s.h2, D(2026, 11, 2))):
        Visit.objects.create(household=household, visited_by=s.worker_a, visited_at=at(day))

    # Cases: three opened in October, three closed in it (one on time).
    case(s.h1, D(2026, 10, 2), D(2026, 10, 7), resolved=D(2026, 10, 6))
    case(s.h2, D(2026, 10, 3), D(2026, 10, 10), resolved=D(2026, 10, 13), category="dispute")
    late = case(s.h3, D(2026, 10, 25), D(2026, 10, 28), category="dispute")
    CaseEvent.objects.create(case=late, kind=EventKind.ESCALATED, at=at(D(2026, 10, 29)))
    case(s.h4, D(2026, 11, 2), D(2026, 11, 6))
    case(s.h1, D(2026, 9, 20), D(2026, 9, 25), resolved=D(2026, 10, 1))

    # Work and income.
    LabourRecordFactory(member=MemberFactory(household=s.h1, is_labour_force=True), status=LabourStatus.GIG)
    MemberFactory(household=s.h2, is_labour_force=True)
    MemberFactory(household=s.h3, is_labour_force=False)
    LabourRecordFactory(
        member=MemberFactory(household=s.h4, is_labour_force=True), status=LabourStatus.MIGRANT
    )
    LabourRecordFactory(
        member=MemberFactory(household=s.h4, is_labour_force=True, relation=Relation.SPOUSE),
        status=LabourStatus.JOB_SEEKING,
    )
    evaluate_warnings()
    IncomeRecordFactory(household=s.h1, per_capita=7000)
    IncomeRecordFactory(household=s.h2, per_capita=9000)
    IncomeRecordFactory(household=s.h3, per_capita=15000)

    # Points: 13 earned and 4 redeemed in October; September's 5 not counted.
    points(s.h2, EntryKind.EARN, 5, D(2026, 9, 30), s.worker_a)
    points(s.h1, EntryKind.EARN, 10, D(2026, 10, 5), s.worker_a)
    points(s.h1, EntryKind.REDEEM, -4, D(2026, 10, 20), s.worker_a)
    points(s.h3, EntryKind.EARN, 3, D(2026, 10, 31), s.worker_a, hour=23)
    return s


def more_households(unit, n):
    """``n`` more households with a little of everything, for counting queries."""
    worker = UserFactory()
    for _ in range(n):
        h = HouseholdFactory(unit=unit, tier=default_tier("yellow"))
        tier_history(h, (D(2026, 9, 1), "yellow"), (D(2026, 10, 9), "green"))
        follow_up(h, worker, D(2026, 10, 31), FollowUpStatus.DONE)
        case(h, D(2026, 10, 2), D(2026, 10, 9), resolved=D(2026, 10, 5))
        IncomeRecordFactory(household=h, per_capita=9500)
        MemberFactory(household=h, is_labour_force=True)
    Household.objects.update(relocated_on=F("relocated_on"))
