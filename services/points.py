"""The points ledger (积分): every change of a household's points is a ``PointEntry``,
written under a lock on the household so that two redemptions at once cannot both spend
the same points (and the database refuses a negative balance whatever happens)."""

import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from common.validators import field_errors
from households.models import Household
from services.models import (
    EntryKind,
    PointEntry,
    PointRule,
    RewardItem,
    ServiceRecord,
    Volunteer,
)


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
def redeem(*, household: Household, item: RewardItem, quantity: int, by, key=None) -> PointEntry:
    """Goods from the 爱心超市 for points: refused, with nothing written, if the household
    has not enough points or the shop not enough stock.

    With a ``key`` (the counter's confirmation), a second redemption with the same key by
    the same person (a double tap, a resent form) writes nothing and answers with the
    first one, marked ``replayed``; the key used for another household or item is refused.
    """
    if quantity < 1:
        raise ValidationError({"quantity": _("At least one.")})
    # Household first, then the item: the order every path locks them in.
    Household.objects.select_for_update().filter(pk=household.pk).first()
    if key is not None:
        # Read under the household's lock: a double tap's second request waits for the
        # first and then finds its entry.
        earlier = PointEntry.objects.filter(by=by, key=key).first()
        if earlier is not None:
            if earlier.household_id != household.pk or earlier.item_id != item.pk:
                raise ValidationError(
                    {"key": _("The key %(key)s was already used for another redemption.") % {"key": key}},
                    code="key_reused",
                )
            earlier.replayed = True
            return earlier
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
        key=key,
    )
    entry.replayed = False
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
