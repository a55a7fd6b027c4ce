"""The hourly check of case deadlines: "小事不出楼栋、一般事不出社区、大事不出街道".

An open case past its deadline goes one level up (楼栋 → 社区 → 街道) with a new deadline
of the tier's working days, recorded in its timeline, and the new level's staff are told.
Whoever opened it and the grid heads and community staff above the household hear once
that it was late.
"""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from grids.models import Assignment, GridUnit, Role
from monitoring.models import Notification, NotificationKind
from services.models import CaseEvent, CaseLevel, EventKind, ServiceCase, overdue_on
from services.services import response_deadline

TOLD = [Role.GRID_HEAD, Role.COMMUNITY_STAFF]
NEXT_LEVEL = {CaseLevel.BUILDING: CaseLevel.COMMUNITY, CaseLevel.COMMUNITY: CaseLevel.STREET}
# The grid level whose staff handle a case at each level above the building (data in
# the shipped levels; a deployment that names them otherwise escalates to nobody new).
LEVEL_NAMES = {CaseLevel.COMMUNITY: "社区", CaseLevel.STREET: "街道"}


def staff_at_level(unit: GridUnit, level: str, today: datetime.date) -> set[int]:
    """The grid heads and community staff of the unit at ``level`` above ``unit``."""
    above = (
        GridUnit.objects.filter(path__in=unit.ancestor_paths(), level__name=LEVEL_NAMES[level])
        .order_by("-depth")
        .first()
    )
    if above is None:
        return set()
    return set(
        Assignment.objects.current(today).filter(unit=above, role__in=TOLD).values_list("user_id", flat=True)
    )


@transaction.atomic
def check_case_deadlines(today: datetime.date | None = None) -> int:
    """Escalate and notify for open cases past their deadline; returns the notifications.

    What every case of a unit or a tier shares (who is told, the new deadline) is looked up
    once per unit or tier, not once per case; a case at the street level that has been told
    it is late is left alone, with nowhere higher to go."""
    today = today or timezone.localdate()
    told = Notification.objects.filter(kind=NotificationKind.CASE_OVERDUE, case=OuterRef("pk"))
    overdue = list(
        ServiceCase.objects.select_for_update(of=("self",))
        .filter(overdue_on(today))
        .exclude(Q(level=CaseLevel.STREET) & Exists(told))
        .annotate(told_late=Exists(told))
        .select_related("household__unit", "household__tier")
    )
    heads = _memo(
        lambda unit: set(
            Assignment.objects.responsible_for(unit, today)
            .filter(role__in=TOLD)
            .values_list("user_id", flat=True)
        )
    )
    staff = _memo(lambda key: staff_at_level(key[0], key[1], today))
    deadlines = _memo(lambda household: response_deadline(household, today), key=lambda h: h.tier_id)
    notifications, escalated, events = [], [], []
    for case in overdue:
        unit = case.household.unit
        if not case.told_late:
            recipients = {case.opened_by_id, *heads(unit)} - {None}
            notifications += [_notice(case, NotificationKind.CASE_OVERDUE, user_id) for user_id in recipients]
        level = NEXT_LEVEL.get(case.level)
        if level is None:
            continue  # at the street already: late, and told so, but nowhere higher to go
        deadline = deadlines(case.household)
        case.level, case.due_on, case.due_provisional = level, deadline.due, deadline.provisional
        escalated.append(case)
        events.append(CaseEvent(case=case, kind=EventKind.ESCALATED, level=level, by=None))
        notifications += [
            _notice(case, NotificationKind.CASE_ESCALATED, user_id) for user_id in staff((unit, level))
        ]
    ServiceCase.objects.bulk_update(escalated, ["level", "due_on", "due_provisional"])
    CaseEvent.objects.bulk_create(events)
    # A run at the same time as this one writes nothing twice (notify_once_per_case).
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    return len(notifications)


def _notice(case, kind, user_id):
    return Notification(recipient_id=user_id, kind=kind, household_id=case.household_id, case=case)


def _memo(compute, key=lambda value: value):
    """``compute(value)``, once per ``key(value)``."""
    known = {}

    def get(value):
        k = key(value)
        if k not in known:
            known[k] = compute(value)
        return known[k]

    return get
