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
from django.utils.translation import gettext as _

from grids.models import Assignment, GridUnit, Role
from monitoring import outbound
from monitoring.models import Notification
from monitoring.workdays import WorkingCalendar, add_working_days
from services import webhook_events
from services.cases import DEADLINE_FIELDS, response_working_days, set_deadline
from services.models import ACTIVE_STATUSES, CaseEvent, CaseLevel, EventKind, ServiceCase, overdue_on
from services.notices import CaseNotificationKind

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
    recount_provisional_deadlines()
    told = Notification.objects.about(ServiceCase).filter(
        kind=CaseNotificationKind.CASE_OVERDUE, object_id=OuterRef("pk")
    )
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
    days = _memo(lambda case: response_working_days(case.household, case.urgency), key=_tier_and_urgency)
    deadlines = _memo(lambda case: add_working_days(today, days(case)), key=_tier_and_urgency)
    notifications, escalated, events = [], [], []
    for case in overdue:
        unit = case.household.unit
        if not case.told_late:
            recipients = {case.opened_by_id, *heads(unit)} - {None}
            notifications += [
                _notice(case, CaseNotificationKind.CASE_OVERDUE, user_id) for user_id in recipients
            ]
        level = NEXT_LEVEL.get(case.level)
        if level is None:
            continue  # at the street already: late, and told so, but nowhere higher to go
        case.level = level
        set_deadline(case, day=today, days=days(case), deadline=deadlines(case))
        escalated.append(case)
        events.append(CaseEvent(case=case, kind=EventKind.ESCALATED, level=level, by=None))
        notifications += [
            _notice(case, CaseNotificationKind.CASE_ESCALATED, user_id) for user_id in staff((unit, level))
        ]
    for case in escalated:  # bulk_update leaves auto_now alone; the API's change feed needs it
        case.updated_at = timezone.now()
    ServiceCase.objects.bulk_update(escalated, ["level", "updated_at", *DEADLINE_FIELDS])
    CaseEvent.objects.bulk_create(events)
    webhook_events.cases_escalated(escalated)
    # A run at the same time as this one writes nothing twice (notify_once_per_object).
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    return len(notifications)


def warn_cases_due_today(today: datetime.date | None = None) -> int:
    """A case about to be late: on its last day, its worker hears at once (an urgent
    message, on their channel), once per case. Not raised in quiet hours: the hourly check
    after they end raises it. Returns the warnings written."""
    from messaging.sending import quiet_until

    today = today or timezone.localdate()
    if quiet_until() is not None:
        return 0
    told = Notification.objects.about(ServiceCase).filter(
        kind=CaseNotificationKind.CASE_DUE_SOON, object_id=OuterRef("pk")
    )
    due = list(
        ServiceCase.objects.filter(status__in=ACTIVE_STATUSES, due_on=today, assigned_to__isnull=False)
        .exclude(Exists(told))
        .select_related("household")
    )
    warned = 0
    for case in due:
        notification = _notice(case, CaseNotificationKind.CASE_DUE_SOON, case.assigned_to_id)
        with transaction.atomic():
            created = Notification.objects.bulk_create([notification], ignore_conflicts=True)
            notification = Notification.objects.about(case).get(
                kind=CaseNotificationKind.CASE_DUE_SOON, recipient_id=case.assigned_to_id
            )
            if created and notification.emailed_at is None:
                outbound.send_now(notification, urgent=True)
                warned += 1
    return warned


def _tier_and_urgency(case):
    return case.household.tier_id, case.urgency


def recount_provisional_deadlines() -> int:
    """Count again the open cases' deadlines that were counted while their year's 调休 was
    unknown (an administrator has entered the year since, or the calendar package was
    upgraded): a deadline that moves says so in the case's timeline. Returns how many moved
    or became final."""
    cases = list(
        ServiceCase.objects.select_for_update()
        .filter(
            status__in=ACTIVE_STATUSES,
            due_provisional=True,
            due_counted_from__isnull=False,
            due_working_days__isnull=False,
        )
        .order_by("pk")
    )
    if not cases:
        return 0
    years = [case.due_counted_from.year for case in cases]
    calendar = WorkingCalendar(range(min(years), max(years) + 2))
    changed, events = [], []
    for case in cases:
        deadline = calendar.add_working_days(case.due_counted_from, case.due_working_days)
        if deadline == (case.due_on, case.due_provisional):
            continue
        if deadline.due != case.due_on:
            text = _("Deadline counted again on the official calendar: %(old)s becomes %(new)s.")
        else:
            text = _("Deadline confirmed on the official calendar: %(new)s.")
        text %= {"old": case.due_on.isoformat(), "new": deadline.due.isoformat()}
        if deadline.provisional:
            text += " " + _("Still provisional: that year's 调休 is not known yet.")
        events.append(CaseEvent(case=case, kind=EventKind.DEADLINE, text=text, by=None))
        case.due_on, case.due_provisional = deadline.due, deadline.provisional
        changed.append(case)
    for case in changed:  # bulk_update leaves auto_now alone; the API's change feed needs it
        case.updated_at = timezone.now()
    ServiceCase.objects.bulk_update(changed, ["due_on", "due_provisional", "updated_at"])
    CaseEvent.objects.bulk_create(events)
    return len(changed)


def _notice(case, kind, user_id):
    return Notification(recipient_id=user_id, kind=kind, household_id=case.household_id, about=case)


def _memo(compute, key=lambda value: value):
    """``compute(value)``, once per ``key(value)``."""
    known = {}

    def get(value):
        k = key(value)
        if k not in known:
            known[k] = compute(value)
        return known[k]

    return get
