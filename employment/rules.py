"""The employment rules, as sets: which households (or members) a warning should be open
for now. ``evaluate_warnings`` opens what is missing and clears what no longer holds, for
a few households after a save or for all of them at night, in a handful of queries.

- Zero employment (消除零就业家庭): the household has someone in the labour force and
  nobody in work.
- Income under the line: the latest figure of the household's latest year is under the
  warning line (东川 8,000 yuan by default; admin → income lines).
- Job ended: a member's work ended 30 days ago or more, and nothing has been recorded since.
"""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from employment.models import (
    EMPLOYED,
    OUT_OF_LABOUR_FORCE,
    EmploymentWarning,
    IncomeLine,
    IncomeRecord,
    LabourRecord,
    WarningKind,
)
from households.models import Household, HouseholdStatus, Member, MemberStatus

JOB_ENDED_DAYS = 30


def labour_force(members=None):
    """Active members able and wanting to work: marked as labour force, and not (for now)
    studying, retired, unable to work or caring."""
    members = Member.objects.all() if members is None else members
    resting = LabourRecord.objects.filter(
        member=OuterRef("pk"), ends_on__isnull=True, status__in=OUT_OF_LABOUR_FORCE
    )
    return members.filter(status=MemberStatus.ACTIVE, is_labour_force=True).exclude(Exists(resting))


def employed(members=None):
    members = Member.objects.all() if members is None else members
    working = LabourRecord.objects.filter(member=OuterRef("pk"), ends_on__isnull=True, status__in=EMPLOYED)
    return members.filter(status=MemberStatus.ACTIVE).filter(Exists(working))


def zero_employment(households):
    return households.filter(
        Exists(labour_force().filter(household=OuterRef("pk"))),
    ).exclude(Exists(employed().filter(household=OuterRef("pk"))))


def latest_income():
    """A household's latest per-capita income figure (of its latest year), as a column."""
    return Subquery(
        IncomeRecord.objects.filter(household=OuterRef("pk"))
        .order_by("-year", "-recorded_at", "-id")
        .values("per_capita")[:1]
    )


def under_line(households, yuan):
    return households.annotate(income=latest_income()).filter(income__lt=yuan)


def jobs_ended(members, today: datetime.date):
    latest = LabourRecord.objects.filter(member=OuterRef("pk")).order_by("-starts_on", "-id")
    return (
        members.filter(status=MemberStatus.ACTIVE)
        .annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_end=Subquery(latest.values("ends_on")[:1]),
        )
        .filter(last_status__in=EMPLOYED, last_end__lte=today - datetime.timedelta(days=JOB_ENDED_DAYS))
    )


@transaction.atomic
def evaluate_warnings(today: datetime.date | None = None, households=None) -> tuple[int, int]:
    """Bring the open warnings in line with the rules; returns (raised, cleared)."""
    today = today or timezone.localdate()
    scope = Household.objects.filter(status=HouseholdStatus.ACTIVE)
    members = Member.objects.filter(household__status=HouseholdStatus.ACTIVE)
    # The rules' own: another system's warnings are that system's to clear.
    open_ = EmploymentWarning.objects.filter(cleared_at__isnull=True, source="")
    if households is not None:
        scope = scope.filter(pk__in=households)
        members = members.filter(household__in=households)
        open_ = open_.filter(household__in=households)
    line = IncomeLine.objects.filter(warns=True).first()
    should = {
        (WarningKind.ZERO_EMPLOYMENT, household, None)
        for household in zero_employment(scope).values_list("pk", flat=True)
    }
    if line is not None:
        should |= {
            (WarningKind.LOW_INCOME, household, None)
            for household in under_line(scope, line.yuan).values_list("pk", flat=True)
        }
    should |= {
        (WarningKind.JOB_ENDED, household, member)
        for member, household in jobs_ended(members, today).values_list("pk", "household_id")
    }
    current = {(w.kind, w.household_id, w.member_id): w.pk for w in open_.only("kind", "household", "member")}
    now = timezone.now()
    raised = [
        EmploymentWarning(kind=kind, household_id=household, member_id=member, raised_at=now)
        for kind, household, member in should - current.keys()
    ]
    # A run at the same moment as this one raises nothing twice (one_open_*_warning).
    EmploymentWarning.objects.bulk_create(raised, ignore_conflicts=True)
    gone = [pk for key, pk in current.items() if key not in should]
    cleared = EmploymentWarning.objects.filter(pk__in=gone).update(cleared_at=now, updated_at=now)
    return len(raised), cleared
