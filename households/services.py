"""Writes that touch more than one row when a household or a member comes into the system
or changes: the admin, the pages and the API all call these."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.sync import touch_dependents
from common.validators import field_errors
from households.models import Household, Label, Member, SpecialGroup
from households.signals import household_departed, household_returned
from monitoring.models.tiers import TierChange
from monitoring.services import open_tier_histories


@transaction.atomic
def register_household(*, household: Household, reason: str, by, labels: Iterable[Label] = ()) -> Household:
    """Save a new household (with its labels) and open its tier history with its first tier.

    Every household's tier has a history from day one, so that "how long has it been
    red" and the trend charts never meet a household with a tier and no record of it.
    """
    if errors := field_errors(TierChange, reason=reason):
        # Named as the forms and the API name it.
        raise ValidationError({"tier_reason": errors["reason"]})
    household.full_clean()
    household._history_user = by
    household.save()
    if labels:
        household.labels.set(labels)
    open_tier_histories([household], reason=reason, by=by)
    return household


@transaction.atomic
def update_household(
    *, household: Household, changes: Mapping[str, Any], by, labels: Iterable[Label] | None = None
) -> Household:
    """Change a household's address, origin, contact, status or labels, validated by the
    model. Its tier is not among them: it moves with ``monitoring.services.change_tier``,
    which records why."""
    if {"tier", "tier_changed_at"} & set(changes):
        raise ValueError("A household's tier changes through monitoring.services.change_tier.")
    # Locked and read again: change_tier locks the same row, so a tier changed while this
    # request was on its way is kept rather than overwritten with the one it read.
    locked = Household.objects.select_for_update().get(pk=household.pk)
    was_active, left_on = locked.is_active, locked.moved_out_on
    was_in = (locked.building_id, locked.unit_id)
    for name, value in changes.items():
        setattr(locked, name, value)
    back = locked.is_active and not was_active
    if back:
        # A mistake corrected, or a family returned: followed from now, owing nothing for
        # the time it was away.
        locked.followed_since = timezone.now()
    locked.full_clean()
    locked._history_user = by
    moved = (locked.building_id, locked.unit_id) != was_in
    if moved and not locked.history.exists():
        # Written with no history (the demo's COPY): the history starts with where it
        # was, so that a caller of the API whose scope it leaves is told (once_visible_to).
        Household.history.bulk_history_create(
            [Household.objects.get(pk=locked.pk)], default_user=by, update=True
        )
    locked.save()
    if moved:
        # Its members, visits, cases... now lie in another unit too (the API's change feed).
        touch_dependents(locked)
    if labels is not None:
        locked.labels.set(labels)
    # Told inside this transaction: what the receivers write (the follow-up engine's
    # periods) commits or rolls back with the change itself.
    if back:
        household_returned.send(sender=Household, household=locked)
    elif not locked.is_active and (was_active or locked.moved_out_on != left_on):
        # Left, or the day it left corrected: owed until that day, nothing from it on.
        household_departed.send(sender=Household, household=locked)
    return locked


def active_elsewhere_error(member: Member, viewer) -> ValidationError | None:
    """Why this person cannot be an active member here, if they are one elsewhere.

    The other household is named only if it lies in the viewer's scope: outside it, its
    number would tell the viewer where someone lives whom they may not look up.
    """
    other = member.other_active_membership()
    if other is None:
        return None
    visible = (
        viewer is not None and Household.objects.filter(pk=other.household_id).visible_to(viewer).exists()
    )
    return ValidationError(
        active_elsewhere_message(other.household.number if visible else None), code="active_elsewhere"
    )


def active_elsewhere_message(number: str | None) -> str:
    """The words for a person living in another household: its number, or (outside the
    viewer's scope, ``None``) no number at all."""
    if number is not None:
        return _(
            "This person is already an active member of household %(number)s; "
            "record them as moved out there first."
        ) % {"number": number}
    return _(
        "This person is already an active member of another household (outside your "
        "grid); ask the community to record them as moved out there first."
    )


@transaction.atomic
def add_member(*, member: Member, by, special_groups: Iterable[SpecialGroup] = ()) -> Member:
    """Save a new member with their special groups, validated as the forms validate one."""
    _validate_member(member, viewer=by)
    member._history_user = by
    member.save()
    if special_groups:
        member.special_groups.set(special_groups)
    return member


@transaction.atomic
def update_member(
    *,
    member: Member,
    changes: Mapping[str, Any],
    by,
    special_groups: Iterable[SpecialGroup] | None = None,
) -> Member:
    """Change a member (moving out, a corrected ID number …), validated as the forms do."""
    locked = Member.objects.select_for_update().get(pk=member.pk)
    was_in = locked.household_id
    for name, value in changes.items():
        setattr(locked, name, value)
    _validate_member(locked, viewer=by)
    locked._history_user = by
    locked.save()
    if locked.household_id != was_in:
        touch_dependents(locked)  # their work records follow them (the API's change feed)
    if special_groups is not None:
        locked.special_groups.set(special_groups)
    return locked


def _validate_member(member: Member, *, viewer) -> None:
    """``full_clean``, with the other household of a person active elsewhere named where
    the viewer may know it (the model's own message names none)."""
    errors: dict = {}
    if error := active_elsewhere_error(member, viewer):
        errors["id_number"] = [error]
    try:
        # As a ModelForm does: a field that has its error already is not checked twice.
        member.full_clean(exclude=list(errors))
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
