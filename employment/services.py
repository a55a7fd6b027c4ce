"""Recording work and income: the one path for the pages, the admin's actions, the API
and imports. Each change is followed by the rules, for the household it touched."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from employment.models import (
    EMPLOYED,
    EmploymentWarning,
    IncomeRecord,
    IncomeSource,
    LabourRecord,
    LabourStatus,
    WarningKind,
    WelfarePost,
    Workshop,
)
from employment.rules import evaluate_warnings
from households.models import Household, Member, MemberStatus


@transaction.atomic
def record_labour_status(
    *,
    member: Member,
    status: str,
    starts_on: datetime.date,
    by,
    province: str = "",
    city: str = "",
    workshop: Workshop | None = None,
    post: WelfarePost | None = None,
    employer: str = "",
    monthly_income: Decimal | None = None,
) -> LabourRecord:
    """A member's new labour status from ``starts_on``; the current one ends that day."""
    # One at a time per member: two phones saving at once would both end the same spell.
    Member.objects.select_for_update().filter(pk=member.pk).first()
    current = LabourRecord.objects.select_for_update().filter(member=member, ends_on__isnull=True).first()
    latest_end = (
        LabourRecord.objects.filter(member=member, ends_on__isnull=False)
        .order_by("-ends_on")
        .values_list("ends_on", flat=True)
        .first()
    )
    errors = {}
    if member.status != MemberStatus.ACTIVE:
        errors["status"] = _("Only an active member's work can be recorded.")
    if status == LabourStatus.MIGRANT and not province.strip():
        errors["province"] = _("Say which province they work in.")
    if status == LabourStatus.WORKSHOP and workshop is None:
        errors["workshop"] = _("Choose the workshop.")
    if status == LabourStatus.PUBLIC_WELFARE and post is None:
        errors["post"] = _("Choose the post.")
    if current is not None and starts_on and starts_on < current.starts_on:
        errors["starts_on"] = _("The current status began on %(day)s; a new one cannot begin before it.") % {
            "day": current.starts_on
        }
    if current is None and latest_end and starts_on and starts_on < latest_end:
        errors["starts_on"] = _("The last status ended on %(day)s; a new one cannot begin before it.") % {
            "day": latest_end
        }
    workplace = (
        workshop
        if status == LabourStatus.WORKSHOP
        else post
        if status == LabourStatus.PUBLIC_WELFARE
        else None
    )
    if workplace is not None and not errors:
        field = "workshop" if isinstance(workplace, Workshop) else "post"
        locked = type(workplace).objects.select_for_update().get(pk=workplace.pk)
        staying = current is not None and getattr(current, f"{field}_id") == workplace.pk
        if not locked.is_open:
            errors[field] = _("%(name)s is closed.") % {"name": locked.name}
        elif not staying and locked.headcount() >= locked.capacity:
            errors[field] = _("%(name)s is full (%(capacity)s people).") % {
                "name": locked.name,
                "capacity": locked.capacity,
            }
    record = LabourRecord(
        member=member,
        status=status,
        province=province.strip() if status == LabourStatus.MIGRANT else "",
        city=city.strip() if status == LabourStatus.MIGRANT else "",
        workshop=workshop if status == LabourStatus.WORKSHOP else None,
        post=post if status == LabourStatus.PUBLIC_WELFARE else None,
        employer=employer.strip() if status in EMPLOYED else "",
        monthly_income=monthly_income if status in EMPLOYED else None,
        starts_on=starts_on,
        recorded_by=by,
    )
    try:
        record.full_clean(exclude=["member", "recorded_by", "workshop", "post"], validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, messages[0])
    if errors:
        raise ValidationError(errors)
    if current is not None:
        current.ends_on = starts_on
        current.save(update_fields=["ends_on", "updated_at"])
    record.save()
    evaluate_warnings(households=[member.household_id])
    return record


@transaction.atomic
def end_labour(*, member: Member, ends_on: datetime.date, by) -> LabourRecord:
    """The member's current work ended (a job lost, a contract over), with nothing new yet."""
    Member.objects.select_for_update().filter(pk=member.pk).first()  # as record_labour_status does
    current = LabourRecord.objects.select_for_update().filter(member=member, ends_on__isnull=True).first()
    if current is None:
        raise ValidationError({"ends_on": _("This member has no current status to end.")})
    if ends_on < current.starts_on:
        raise ValidationError(
            {"ends_on": _("It cannot end before it began (%(day)s).") % {"day": current.starts_on}}
        )
    if ends_on > timezone.localdate():
        raise ValidationError({"ends_on": _("The end cannot be in the future.")})
    current.ends_on = ends_on
    current.save(update_fields=["ends_on", "updated_at"])
    evaluate_warnings(households=[member.household_id])
    return current


@transaction.atomic
def record_income(
    *, household: Household, year: int, per_capita: Decimal, by, source: str = IncomeSource.ENTERED
) -> IncomeRecord:
    """A household's per-capita net income for a year, added to its history."""
    record = IncomeRecord(
        household=household, year=year, per_capita=per_capita, source=source, recorded_by=by
    )
    errors = {}
    if year and year > timezone.localdate().year:
        errors["year"] = _("The year cannot be in the future.")
    try:
        record.full_clean(exclude=["household", "recorded_by"])
    except ValidationError as error:
        errors.update({name: messages[0] for name, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    record.save()
    evaluate_warnings(households=[household.pk])
    return record


def computed_per_capita(household: Household, year: int) -> Decimal:
    """The year's per-capita income from the members' monthly incomes: each spell's
    income times its months in the year, shared by the household's active members."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    records = LabourRecord.objects.filter(
        member__household=household, starts_on__lte=last, monthly_income__isnull=False
    ).exclude(ends_on__lt=first)
    total = Decimal(0)
    for record in records:
        start = max(record.starts_on, first)
        end = min(record.ends_on or last, last)
        months = Decimal((end - start).days + 1) / Decimal("30.4375")
        total += record.monthly_income * min(months, Decimal(12))
    people = household.members.filter(status=MemberStatus.ACTIVE).count() or 1
    return (total / people).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def propose_from_warning(*, warning: EmploymentWarning, tier, reason: str, by):
    """A warning's suggestion of a tier change, for community staff to decide: the rules
    never change a tier themselves."""
    from monitoring.services import propose_tier_change

    warning = EmploymentWarning.objects.select_for_update().select_related("household").get(pk=warning.pk)
    if not warning.is_open:
        raise ValidationError({"tier": _("This warning has been cleared.")})
    if warning.proposal_id:
        raise ValidationError({"tier": _("A tier change was already proposed from this warning.")})
    proposal = propose_tier_change(
        household=warning.household,
        tier=tier,
        reason=f"{warning.get_kind_display()}: {(reason or '').strip()}" if (reason or "").strip() else "",
        by=by,
    )
    warning.proposal = proposal
    warning.save(update_fields=["proposal", "updated_at"])
    return proposal


@transaction.atomic
def raise_reported_warning(*, household, member=None, source: str, note: str) -> EmploymentWarning:
    """A warning another system raised (``source`` names it): checked by the model, kept
    until that system clears it; the rules leave it alone."""
    warning = EmploymentWarning(
        household=household,
        member=member,
        kind=WarningKind.REPORTED,
        source=source.strip(),
        note=note.strip(),
    )
    warning.full_clean()  # its constraint too: one open warning per system, in its own words
    warning.save()
    return warning


@transaction.atomic
def clear_reported_warning(*, warning: EmploymentWarning) -> EmploymentWarning:
    """Clear another system's warning; the rules' own are cleared by the rules only."""
    locked = EmploymentWarning.objects.select_for_update().get(pk=warning.pk)
    if not locked.source:
        raise ValidationError(_("The rules raised this warning: they clear it when it no longer holds."))
    if locked.cleared_at is not None:
        raise ValidationError(_("This warning is cleared already."))
    locked.cleared_at = timezone.now()
    locked.save(update_fields=["cleared_at"])
    return locked
