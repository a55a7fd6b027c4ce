"""Changing a household's tier: the one path every caller takes (admin, pages, API, tasks)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from households.models import Household
from monitoring.models import Tier, TierChange


@transaction.atomic
def change_tier(*, household: Household, tier: Tier, reason: str, by) -> TierChange:
    """Move a household to another tier, appending the change to its history.

    The household row is locked first, so that two people changing the same tier at
    once are serialised and each change records the tier it really replaced.
    """
    locked = Household.objects.select_for_update().select_related("unit").get(pk=household.pk)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why the tier changes.")
    if tier.pk == locked.tier_id:
        errors["tier"] = _("The household is already in this tier.")
    elif tier.scheme_id != locked.unit.tier_scheme_in_force().pk:
        errors["tier"] = _("This tier belongs to another scheme than the household's community uses.")
    if errors:
        raise ValidationError(errors)

    change = TierChange.objects.create(
        household=locked, from_tier_id=locked.tier_id, to_tier=tier, reason=reason, changed_by=by
    )
    locked.tier = tier
    locked.tier_changed_at = change.changed_at
    locked._history_user = by
    locked.save(update_fields=["tier", "tier_changed_at", "updated_at"])
    household.tier, household.tier_changed_at = locked.tier, locked.tier_changed_at
    return change
