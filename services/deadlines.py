"""The hourly check of case deadlines: "小事不出楼栋、一般事不出社区、大事不出街道".

An open case past its deadline goes one level up (楼栋 → 社区 → 街道) with a new deadline
of the tier's working days, recorded in its timeline, and the new level's staff are told.
Whoever opened it and the grid heads and community staff above the household hear once
that it was late.
"""

import datetime

from django.db import transaction
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


def staff_at_level(case: ServiceCase, level: str, today: datetime.date) -> set[int]:
    unit = (
        GridUnit.objects.filter(path__in=case.household.unit.ancestor_paths(), level__name=LEVEL_NAMES[level])
        .order_by("-depth")
        .first()
    )
    if unit is None:
        return set()
    return set(
        Assignment.objects.current(today).filter(unit=unit, role__in=TOLD).values_list("user_id", flat=True)
    )


@transaction.atomic
def check_case_deadlines(today: datetime.date | None = None) -> int:
    """Escalate and notify for open cases past their deadline; returns the notifications."""
    today = today or timezone.localdate()
    overdue = (
        ServiceCase.objects.select_for_update(of=("self",))
        .filter(overdue_on(today))
        .select_related("household__unit", "household__tier")
    )
    told_late = set(
        Notification.objects.filter(kind=NotificationKind.CASE_OVERDUE, case__in=overdue).values_list(
            "case_id", flat=True
        )
    )
    notifications = []
    for case in overdue:
        if case.pk not in told_late:
            heads = Assignment.objects.responsible_for(case.household.unit, today).filter(role__in=TOLD)
            recipients = {case.opened_by_id, *heads.values_list("user_id", flat=True)} - {None}
            notifications += [
                Notification(
                    recipient_id=user_id,
                    kind=NotificationKind.CASE_OVERDUE,
                    household_id=case.household_id,
                    case=case,
                )
                for user_id in recipients
            ]
        level = NEXT_LEVEL.get(case.level)
        if level is None:
            continue  # at the street already: late, and told so, but nowhere higher to go
        deadline = response_deadline(case.household, today)
        case.level, case.due_on, case.due_provisional = level, deadline.due, deadline.provisional
        case.save(update_fields=["level", "due_on", "due_provisional"])
        CaseEvent.objects.create(case=case, kind=EventKind.ESCALATED, level=level, by=None)
        notifications += [
            Notification(
                recipient_id=user_id,
                kind=NotificationKind.CASE_ESCALATED,
                household_id=case.household_id,
                case=case,
            )
            for user_id in staff_at_level(case, level, today)
        ]
    # A run at the same time as this one writes nothing twice (notify_once_per_case).
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    return len(notifications)
