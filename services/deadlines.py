"""The hourly check of case deadlines: an open case past its day is told to people.

Escalating a case up the levels (楼栋 → 社区 → 街道) is the services workflow's; here the
person who opened it and the grid heads and community staff above the household hear of
it once, in their inbox and by e-mail.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from grids.models import Assignment, Role
from monitoring.models import Notification, NotificationKind
from services.models import CaseStatus, ServiceCase

TOLD = [Role.GRID_HEAD, Role.COMMUNITY_STAFF]


@transaction.atomic
def check_case_deadlines(today: datetime.date | None = None) -> int:
    """Notify once per person and case for open cases past their deadline; returns how many."""
    today = today or timezone.localdate()
    overdue = (
        ServiceCase.objects.filter(status__in=[CaseStatus.OPEN, CaseStatus.IN_PROGRESS], due_on__lt=today)
        .exclude(notifications__kind=NotificationKind.CASE_OVERDUE)
        .select_related("household__unit")
    )
    notifications = []
    for case in overdue:
        heads = Assignment.objects.responsible_for(case.household.unit, today).filter(role__in=TOLD)
        recipients = {case.opened_by_id, *heads.values_list("user_id", flat=True)}
        notifications += [
            Notification(
                recipient_id=user_id,
                kind=NotificationKind.CASE_OVERDUE,
                household_id=case.household_id,
                case=case,
            )
            for user_id in recipients
        ]
    # A run at the same time as this one writes nothing twice (notify_once_per_case).
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    return len(notifications)
