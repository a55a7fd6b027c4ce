"""Writes that touch more than one row when a household comes into the system."""

from django.db import transaction

from households.models import Household
from monitoring.followups import reschedule
from monitoring.models import TierChange


@transaction.atomic
def register_household(*, household: Household, reason: str, by) -> Household:
    """Save a new household and open its tier history with its first tier.

    Every household's tier has a history from day one, so that "how long has it been
    red" and the trend charts never meet a household with a tier and no record of it.
    """
    household.full_clean()
    household._history_user = by
    household.save()
    change = TierChange.objects.create(
        household=household,
        from_tier=None,
        to_tier=household.tier,
        reason=reason or "",
        changed_by=by,
    )
    Household.objects.filter(pk=household.pk).update(tier_changed_at=change.changed_at)
    household.tier_changed_at = change.changed_at
    reschedule(households=[household], reason="")
    return household
