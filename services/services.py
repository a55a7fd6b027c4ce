"""Cases, door cards and points: the one path for the pages, the API and imports.

Every step of a case is a ``CaseEvent``; every change of points a ``PointEntry``, written
under a lock on the household so that two redemptions at once cannot both spend the
same points (and the database refuses a negative balance whatever happens).
"""

import math
import secrets

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.validators import field_errors
from grids.models import Assignment
from households.models import Household
from monitoring.models import Notification
from monitoring.workdays import Deadline, add_working_days
from services.models import (
    ACTIVE_STATUSES,
    CaseCategory,
    CaseEvent,
    CaseStatus,
    DoorCard,
    EntryKind,
    EventKind,
    PointEntry,
    PointRule,
    RewardItem,
    ServiceCase,
    ServiceRecord,
    Urgency,
    Volunteer,
)
from services.notices import CaseNotificationKind

DEFAULT_RESPONSE_WORKING_DAYS = 7


def response_working_days(household: Household) -> int:
    # A tier without a response time of its own (green) gets the slowest the reports name.
    return household.tier.response_working_days or DEFAULT_RESPONSE_WORKING_DAYS


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
    set_deadline(case, day=timezone.localdate(opened_at), days=response_working_days(household))
    case.full_clean(exclude=["household", "opened_by", "visit", "member", "assigned_to"])
    case.save()
    CaseEvent.objects.create(case=case, kind=EventKind.OPENED, status=case.status, level=case.level, by=by)
    return case


def _locked(case: ServiceCase) -> ServiceCase:
    return ServiceCase.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def add_note(*, case: ServiceCase, text: str, by) -> CaseEvent:
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the note.")})
    if errors := field_errors(CaseEvent, text=text.strip()):
        raise ValidationError(errors)
    return CaseEvent.objects.create(case=_locked(case), kind=EventKind.NOTE, text=text.strip(), by=by)


@transaction.atomic
def assign_case(*, case: ServiceCase, to, by) -> ServiceCase:
    case = _locked(case)
    case.assigned_to = to
    case.save(update_fields=["assigned_to"])
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
        set_deadline(case, day=timezone.localdate(), days=response_working_days(case.household))
    case.save(update_fields=["status", *DEADLINE_FIELDS])
    CaseEvent.objects.create(
        case=case, kind=EventKind.STATUS, status=status, text=(note or "").strip(), by=by
    )
    return case


# -- door cards ---------------------------------------------------------------------

_SIGNER_SALT = "services.door-card"


@transaction.atomic
def issue_door_card(*, household: Household, by) -> DoorCard:
    """A new card for the door; the old one, if any, stops working."""
    Household.objects.select_for_update().filter(pk=household.pk).first()
    DoorCard.objects.filter(household=household, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return DoorCard.objects.create(household=household, key=secrets.token_urlsafe(16), created_by=by)


def door_card_token(card: DoorCard) -> str:
    return signing.Signer(salt=_SIGNER_SALT).sign(card.key)


def card_for_token(token: str) -> DoorCard | None:
    """The live card a token was signed for; None for a forged, altered or revoked one."""
    try:
        key = signing.Signer(salt=_SIGNER_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return (
        DoorCard.objects.filter(key=key, revoked_at__isnull=True)
        .select_related("household__tier", "household__unit", "household__building")
        .first()
    )


HELP_KINDS = {
    "daily": (CaseCategory.HELP, gettext_lazy("Daily life")),
    "health": (CaseCategory.AID_SICK, gettext_lazy("Illness or health")),
    "money": (CaseCategory.TEMPORARY_RELIEF, gettext_lazy("Money trouble")),
    "dispute": (CaseCategory.DISPUTE, gettext_lazy("A dispute")),
    "other": (CaseCategory.OTHER, gettext_lazy("Something else")),
}


@transaction.atomic
def ask_for_help(
    *, card: DoorCard, kind: str, phone: str = "", text: str = "", new_case: bool = True
) -> ServiceCase:
    """A family's request from its door card: a help-request case for its grid worker,
    who is told at once.

    With ``new_case`` False (past the card's hourly limit) the request joins the family's
    open door-card case as a note instead, and that case's notice turns unread again:
    the family is still heard, without a flood of cases or notices for the worker.
    """
    category, label = HELP_KINDS[kind]
    description = str(label)
    if phone:
        description += f" · {_('call back')}: {phone}"
    if text.strip():
        description += f" · {text.strip()}"
    if not new_case:
        # The household's row makes requests past the limit wait for each other, so that
        # two at once join one case rather than opening two.
        Household.objects.select_for_update().filter(pk=card.household_id).first()
        case = (
            ServiceCase.objects.filter(household=card.household_id, opened_by__isnull=True)
            .filter(status__in=ACTIVE_STATUSES)
            .order_by("-opened_at", "-id")
            .first()
        )
        if case is not None:
            add_note(case=case, text=description, by=None)
            _tell_assignee(case)
            return case
    case = open_case(
        household=card.household, category=category, description=description, urgency=Urgency.NORMAL, by=None
    )
    _tell_assignee(case)
    return case


def _tell_assignee(case: ServiceCase) -> None:
    # One notice per case and worker (notify_once_per_object), unread again when the family
    # asks again.
    if case.assigned_to_id:
        Notification.objects.update_or_create(
            recipient_id=case.assigned_to_id,
            kind=CaseNotificationKind.HELP_REQUEST,
            content_type=ContentType.objects.get_for_model(case),
            object_id=case.pk,
            defaults={"household_id": case.household_id, "read_at": None},
        )


# -- points ---------------------------------------------------------------------------


def balance(household: Household) -> int:
    latest = PointEntry.objects.filter(household=household).order_by("-id").values_list("balance", flat=True)
    return latest.first() or 0


def _append(*, household: Household, points: int, by, field: str = "quantity", **fields) -> PointEntry:
    if errors := field_errors(PointEntry, reason=fields.get("reason", "")):
        raise ValidationError(errors)
    # The household's row is the lock: a second entry for it waits until this one is in.
    Household.objects.select_for_update().filter(pk=household.pk).first()
    after = balance(household) + points
    if after < 0:
        raise ValidationError(
            {
                field: _("Not enough points: %(have)s, and this needs %(need)s.")
                % {"have": after - points, "need": -points}
            }
        )
    return PointEntry.objects.create(household=household, points=points, balance=after, by=by, **fields)


@transaction.atomic
def earn_points(*, household: Household, rule: PointRule, by, hours=None, reason: str = "") -> PointEntry:
    """Points for an activity in the rule table (per hour for volunteering by the hour)."""
    if rule.per_hour:
        if not hours or hours <= 0:
            raise ValidationError({"hours": _("Give the hours.")})
        if errors := field_errors(ServiceRecord, hours=hours):
            raise ValidationError(errors)
        points = math.ceil(rule.points * hours)
    else:
        points = rule.points
    return _append(
        household=household, points=points, by=by, kind=EntryKind.EARN, rule=rule, reason=reason or rule.name
    )


@transaction.atomic
def record_service(*, volunteer: Volunteer, rule: PointRule, hours, on, by) -> ServiceRecord:
    """Volunteering done, and the points it earns the volunteer's household."""
    if on > timezone.localdate():
        raise ValidationError({"on": _("The day cannot be in the future.")})
    if errors := field_errors(ServiceRecord, hours=hours):
        raise ValidationError(errors)
    entry = earn_points(
        household=volunteer.member.household,
        rule=rule,
        hours=hours,
        by=by,
        reason=f"{rule.name} · {volunteer.member.name}",
    )
    return ServiceRecord.objects.create(
        volunteer=volunteer, rule=rule, hours=hours, on=on, entry=entry, recorded_by=by
    )


@transaction.atomic
def redeem(*, household: Household, item: RewardItem, quantity: int, by) -> PointEntry:
    """Goods from the 爱心超市 for points: refused, with nothing written, if the household
    has not enough points or the shop not enough stock."""
    if quantity < 1:
        raise ValidationError({"quantity": _("At least one.")})
    # Household first, then the item: the order every path locks them in.
    Household.objects.select_for_update().filter(pk=household.pk).first()
    item = RewardItem.objects.select_for_update().get(pk=item.pk)
    if not item.is_active:
        raise ValidationError({"item": _("%(item)s is not on offer.") % {"item": item.name}})
    if item.stock < quantity:
        raise ValidationError({"quantity": _("Only %(n)s left in stock.") % {"n": item.stock}})
    entry = _append(
        household=household,
        points=-item.points * quantity,
        by=by,
        kind=EntryKind.REDEEM,
        item=item,
        quantity=quantity,
        reason=f"{item.name} × {quantity}",
    )
    item.stock -= quantity
    item.save(update_fields=["stock"])
    return entry


@transaction.atomic
def reverse_entry(*, entry: PointEntry, reason: str, by) -> PointEntry:
    """Undo a mistaken entry with a counter-entry (a redemption's goods go back on the shelf)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why it is reversed.")})
    # Checked under the household's lock: two reversals at once find the first one.
    Household.objects.select_for_update().filter(pk=entry.household_id).first()
    if entry.kind == EntryKind.REVERSAL or PointEntry.objects.filter(reverses=entry).exists():
        raise ValidationError({"reason": _("This entry cannot be reversed (again).")})
    counter = _append(
        household=entry.household,
        points=-entry.points,
        by=by,
        kind=EntryKind.REVERSAL,
        field="reason",
        reverses=entry,
        reason=reason.strip(),
    )
    if entry.item_id:
        RewardItem.objects.select_for_update().filter(pk=entry.item_id).update(
            stock=F("stock") + entry.quantity
        )
    return counter
