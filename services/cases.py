"""Cases: opened from a visit, a report or a door card, with a deadline in working days
from the tier; every step of one is a ``CaseEvent``, appended, never edited."""

from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, When
from django.utils import timezone
from django.utils.translation import gettext as _

from common.validators import field_errors
from grids.models import Assignment
from households.models import Household
from monitoring.workdays import Deadline, add_working_days
from services import webhook_events
from services.models import (
    CaseEvent,
    CaseStatus,
    EventKind,
    ServiceCase,
    Urgency,
)

DEFAULT_RESPONSE_WORKING_DAYS = 7


def response_working_days(household: Household, urgency: str = Urgency.NORMAL) -> int:
    """The working days a case of ``household`` has at each level: its tier's (a tier
    without a response time of its own, green, gets the slowest the reports name), and at
    most CASE_URGENT_WORKING_DAYS for an urgent one, whatever the tier."""
    days = household.tier.response_working_days or DEFAULT_RESPONSE_WORKING_DAYS
    if urgency == Urgency.URGENT:
        days = min(days, settings.CASE_URGENT_WORKING_DAYS)
    return days


def set_deadline(case: ServiceCase, *, day, days: int, deadline: Deadline | None = None) -> None:
    """Give ``case`` the deadline ``days`` working days after ``day`` (``deadline``, where
    the caller has counted it already), and keep what it was counted from: a provisional
    one is counted again when its year becomes known."""
    deadline = deadline or add_working_days(day, days)
    case.due_on, case.due_provisional = deadline.due, deadline.provisional
    case.due_counted_from, case.due_working_days = day, days


DEADLINE_FIELDS = ["due_on", "due_provisional", "due_counted_from", "due_working_days"]


def responsible_worker(household: Household):
    """The grid worker on the nearest unit above the household, chosen as the follow-up
    engine chooses (``monitoring.followups``): a temporary cover first, then by role in
    ``WORKER_ROLES`` order (full-time before part-time), then the earliest assignment."""
    from monitoring.followups import WORKER_ROLES

    role_rank = Case(*(When(role=role, then=i) for i, role in enumerate(WORKER_ROLES)))
    assignment = (
        Assignment.objects.responsible_for(household.unit)
        .filter(role__in=WORKER_ROLES)
        .select_related("user", "unit")
        .order_by("-unit__depth", F("covering_for").asc(nulls_last=True), role_rank, "id")
        .first()
    )
    return assignment.user if assignment else None


@transaction.atomic
def open_case(
    *,
    household: Household,
    category: str,
    description: str,
    urgency: str,
    by,
    visit=None,
    member=None,
    assigned_to=None,
    key=None,
):
    """Open a case at building level, due in the household's tier's working days."""
    opened_at = timezone.now()
    if member is not None and member.household_id != household.pk:
        raise ValidationError({"member": _("This person is not a member of the household.")})
    case = ServiceCase(
        household=household,
        member=member,
        category=category,
        description=(description or "").strip(),
        urgency=urgency,
        opened_by=by,
        opened_at=opened_at,
        visit=visit,
        assigned_to=assigned_to or responsible_worker(household),
    )
    if key is not None:
        case.key = key
    set_deadline(case, day=timezone.localdate(opened_at), days=response_working_days(household, urgency))
    case.full_clean(exclude=["household", "opened_by", "visit", "member", "assigned_to"])
    case.save()
    CaseEvent.objects.create(case=case, kind=EventKind.OPENED, status=case.status, level=case.level, by=by)
    webhook_events.case_opened(case)
    return case


class ReportedCase(NamedTuple):
    case: ServiceCase
    created: bool  # False: the same report came before, and this is the case it opened


def case_for_key(*, by, key, household: Household) -> ServiceCase | None:
    """The case ``by`` already reported with ``key``, if any: a key is its author's own, and
    the same author's key used again for another household is refused naming the key."""
    earlier = ServiceCase.objects.filter(opened_by=by, key=key).first()
    if earlier is not None and earlier.household_id != household.pk:
        raise ValidationError(
            {"key": _("The key %(key)s was already used for another problem.") % {"key": key}},
            code="key_reused",
        )
    return earlier


@transaction.atomic
def report_problem(
    *, household: Household, by, key, category: str, description: str, urgency: str
) -> ReportedCase:
    """A grid worker's report (the card's form, a phone's outbox), opened once per ``key``:
    sent again, it answers with the case the first one opened."""
    if earlier := case_for_key(by=by, key=key, household=household):
        return ReportedCase(earlier, created=False)
    if not household.is_active:
        raise ValidationError(
            {
                "household": _(
                    "This household is no longer followed up (%(status)s); problems are no longer "
                    "reported for it."
                )
                % {"status": household.get_status_display()}
            }
        )
    try:
        with transaction.atomic():
            case = open_case(
                household=household,
                by=by,
                key=key,
                category=category,
                description=description,
                urgency=urgency,
            )
    except IntegrityError:
        # The same report, saved by a request that ran at the same moment: the unique key
        # made this one wait for it, and what it saved is the answer.
        if (earlier := case_for_key(by=by, key=key, household=household)) is None:
            raise
        return ReportedCase(earlier, created=False)
    return ReportedCase(case, created=True)


def _locked(case: ServiceCase) -> ServiceCase:
    return ServiceCase.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def add_note(*, case: ServiceCase, text: str, by) -> CaseEvent:
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the note.")})
    if errors := field_errors(CaseEvent, text=text.strip()):
        raise ValidationError(errors)
    locked = _locked(case)
    locked.save(update_fields=["updated_at"])  # the case reads with its timeline: it changed
    return CaseEvent.objects.create(case=locked, kind=EventKind.NOTE, text=text.strip(), by=by)


@transaction.atomic
def assign_case(*, case: ServiceCase, to, by) -> ServiceCase:
    case = _locked(case)
    case.assigned_to = to
    case.save(update_fields=["assigned_to", "updated_at"])
    name = f"{to.last_name}{to.first_name}" or to.get_username()
    CaseEvent.objects.create(case=case, kind=EventKind.ASSIGNED, text=name, by=by)
    return case


@transaction.atomic
def change_status(*, case: ServiceCase, status: str, by, note: str = "") -> ServiceCase:
    """Move a case along open → in progress → resolved → closed, or reopen it."""
    case = _locked(case)
    if status not in case.next_statuses:
        raise ValidationError(
            {
                "status": _("A case that is %(now)s cannot become %(next)s.")
                % {"now": case.get_status_display(), "next": CaseStatus(status).label}
            }
        )
    if status in (CaseStatus.RESOLVED, CaseStatus.REOPENED) and not (note or "").strip():
        raise ValidationError({"text": _("Say what was done, or why it is reopened.")})
    if errors := field_errors(CaseEvent, text=(note or "").strip()):
        raise ValidationError(errors)
    case.status = status
    if status == CaseStatus.REOPENED:
        set_deadline(case, day=timezone.localdate(), days=response_working_days(case.household, case.urgency))
    case.save(update_fields=["status", "updated_at", *DEADLINE_FIELDS])
    CaseEvent.objects.create(
        case=case, kind=EventKind.STATUS, status=status, text=(note or "").strip(), by=by
    )
    if status == CaseStatus.CLOSED:
        webhook_events.case_closed(case)
    return case
