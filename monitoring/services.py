"""Changing a household's tier: the one path every caller takes (admin, pages, API, tasks)."""

from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from common.validators import field_errors
from households.models import Household, HouseholdStatus
from monitoring import webhook_events
from monitoring.followups import RecordedVisit, record_visit, reschedule
from monitoring.models import (
    Notification,
    NotificationKind,
    ProposalStatus,
    Tier,
    TierChange,
    TierProposal,
    TierScheme,
    UnitTierScheme,
)


def tier_choices(household: Household):
    """The tiers a household can be moved to: its scheme's others, most urgent first.

    Lazy, as ``TierScheme.objects.in_force_for`` in one subquery: a form built for each
    visit of a phone's batch reads nothing unless the visit proposes a tier."""
    nearest = (
        TierScheme.objects.filter(set_on__unit__path__in=household.unit.ancestor_paths())
        .order_by("-set_on__unit__depth")
        .values("pk")[:1]
    )
    default = TierScheme.objects.filter(is_default=True).values("pk")[:1]
    return (
        Tier.objects.filter(scheme=Coalesce(Subquery(nearest), Subquery(default)))
        .exclude(pk=household.tier_id)
        .order_by("severity")
    )


def _tier_error(household: Household, tier: Tier) -> str | None:
    """Why ``tier`` cannot be a household's next tier, if it cannot."""
    if not household.is_active:
        # Its tier is the one it had when it left: the history ends there.
        return _("This household is no longer followed up (%(status)s): its tier cannot change.") % {
            "status": household.get_status_display()
        }
    if tier.pk == household.tier_id:
        return _("The household is already in this tier.")
    if tier.scheme_id != TierScheme.objects.in_force_for(household.unit).pk:
        return _("This tier belongs to another scheme than the household's community uses.")
    return None


def _reason_and_tier_errors(model, household: Household, tier, reason: str, missing: str) -> dict:
    """What is wrong with a tier change or proposal as typed, by field: a reason is
    needed and bounded as ``model`` stores it, and the tier must suit the household."""
    errors = {} if reason else {"reason": missing}
    errors.update(field_errors(model, reason=reason))
    if tier_error := _tier_error(household, tier):
        errors["tier"] = tier_error
    return errors


@transaction.atomic
def change_tier(*, household: Household, tier: Tier, reason: str, by) -> TierChange:
    """Move a household to another tier, appending the change to its history.

    The household row is locked first, so that two people changing the same tier at
    once are serialised and each change records the tier it really replaced.
    """
    locked = Household.objects.select_for_update().select_related("unit").get(pk=household.pk)
    reason = (reason or "").strip()
    errors = _reason_and_tier_errors(TierChange, locked, tier, reason, _("Say why the tier changes."))
    if errors:
        raise ValidationError(errors)

    previous = locked.tier
    change = TierChange.objects.create(
        household=locked, from_tier=previous, to_tier=tier, reason=reason, changed_by=by
    )
    locked.tier = tier
    locked.tier_changed_at = change.changed_at
    locked._history_user = by
    locked.save(update_fields=["tier", "tier_changed_at", "updated_at"])
    household.tier, household.tier_changed_at = locked.tier, locked.tier_changed_at
    webhook_events.tier_changed(change, unit_id=locked.unit_id)
    reschedule(
        households=[locked],
        reason=_("Tier changed from %(old)s to %(new)s") % {"old": previous.name, "new": tier.name},
    )
    return change


def open_tier_histories(households: list[Household], *, reason: str, by) -> None:
    """For households just saved: the first entry of each one's tier history, the time
    its tier was set, and its first follow-up. One household from a form, or twenty
    thousand from a ledger, in a handful of statements."""
    now = timezone.now()
    TierChange.objects.bulk_create(
        [
            TierChange(
                household=h,
                from_tier=None,
                to_tier=h.tier,
                reason=reason or "",
                changed_by=by,
                changed_at=now,
            )
            for h in households
        ],
        batch_size=2000,
    )
    ids = [h.pk for h in households]
    for start in range(0, len(ids), 5000):
        Household.objects.filter(pk__in=ids[start : start + 5000]).update(
            tier_changed_at=now, followed_since=now, updated_at=now
        )
    for household in households:
        household.tier_changed_at = household.followed_since = now
    reschedule(households=households, reason="")


def matching_tier(tier: Tier, scheme) -> Tier:
    """The tier of another scheme that corresponds to ``tier``.

    Same code where the scheme has it (red stays red); otherwise the tier at the same
    relative place in the order of severity (四色 orange becomes 三色 yellow).
    """
    tiers = list(scheme.tiers.order_by("severity"))
    same = next((t for t in tiers if t.code == tier.code), None)
    if same is not None:
        return same
    old_count = tier.scheme.tiers.count()
    place = (tier.severity - 1) / max(old_count - 1, 1)
    return tiers[round(place * (len(tiers) - 1))]


@transaction.atomic
def switch_tier_scheme(*, unit, scheme: TierScheme | None, reason: str, by) -> int:
    """Put a unit (a community, usually) on another scheme and re-tier its households.

    Every household whose tier belongs to the old scheme moves to the matching tier of
    the new one, each move a TierChange like any other. Households under a deeper unit
    with a scheme of its own are left alone. Returns how many households moved.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the tier scheme changes.")})
    if errors := field_errors(TierChange, reason=reason):
        raise ValidationError(errors)
    # None puts the unit back on the scheme it inherits from above.
    if scheme is None:
        UnitTierScheme.objects.filter(unit=unit).delete()
    else:
        UnitTierScheme.objects.update_or_create(unit=unit, defaults={"scheme": scheme})
    scheme = TierScheme.objects.in_force_for(unit)
    own_schemes = UnitTierScheme.objects.filter(unit__path__startswith=unit.path).exclude(unit=unit)
    # Households that have left keep the tier they had then (change_tier refuses them too).
    affected = (
        Household.objects.below(unit).filter(status=HouseholdStatus.ACTIVE).exclude(tier__scheme=scheme)
    )
    for deeper in own_schemes.values_list("unit__path", flat=True):
        affected = affected.exclude(unit__path__startswith=deeper)
    households = list(affected.select_for_update(of=("self",)).select_related("tier__scheme"))
    now = timezone.now()
    mapping = {
        tier_id: matching_tier(tier, scheme)
        for tier_id, tier in {h.tier_id: h.tier for h in households}.items()
    }
    changes = TierChange.objects.bulk_create(
        [
            TierChange(
                household=h,
                from_tier=h.tier,
                to_tier=mapping[h.tier_id],
                reason=reason,
                changed_by=by,
                changed_at=now,
            )
            for h in households
        ],
        batch_size=2000,
    )
    for old_id, new in mapping.items():
        affected.filter(tier_id=old_id).update(tier=new, tier_changed_at=now, updated_at=now)
    webhook_events.tiers_changed(changes, {h.pk: h.unit_id for h in households})
    for household in households:
        household.tier = mapping[household.tier_id]
    reschedule(households=households, reason=reason)
    return len(households)


@transaction.atomic
def propose_tier_change(
    *, household: Household, tier: Tier, reason: str, by, visit=None, key=None
) -> TierProposal:
    """A grid worker's proposal, waiting for community staff (never a change by itself)."""
    # Read again under a lock: the page the proposal came from may be older than a move-out.
    household = Household.objects.select_for_update().select_related("unit").get(pk=household.pk)
    reason = (reason or "").strip()
    missing = _("Say why the tier should change.")
    errors = _reason_and_tier_errors(TierProposal, household, tier, reason, missing)
    pending = TierProposal.objects.filter(household=household, status=ProposalStatus.PENDING)
    if "tier" not in errors and pending.exists():
        errors["tier"] = _("A proposal for this household is already waiting for a decision.")
    if errors:
        raise ValidationError(errors)
    proposal = TierProposal.objects.create(
        household=household,
        from_tier_id=household.tier_id,
        to_tier=tier,
        reason=reason,
        proposed_by=by,
        visit=visit,
        **({"key": key} if key is not None else {}),
    )
    webhook_events.proposal_made(proposal, unit_id=household.unit_id)
    return proposal


@transaction.atomic
def record_visit_with_proposal(
    *,
    household: Household,
    by,
    visited_at,
    mode: str,
    notes: str,
    needs: list[str],
    key,
    photo=None,
    propose_tier: Tier | None = None,
    proposal_reason: str = "",
) -> RecordedVisit:
    """A visit as the visit form sends it (the page, a phone's outbox): recorded, with the
    tier proposal made at the door if any, both or neither. Sent again with its key, it
    answers with the visit the first one saved and proposes nothing more."""
    visit = None
    try:
        visit, created = record_visit(
            household=household,
            by=by,
            visited_at=visited_at,
            mode=mode,
            notes=notes,
            needs=needs,
            photo=photo,
            key=key,
        )
        if created and propose_tier:
            propose_tier_change(
                household=household, tier=propose_tier, reason=proposal_reason, by=by, visit=visit
            )
    except (ValidationError, IntegrityError):
        if visit is not None and created and visit.photo:
            # The visit is rolled back with the proposal; its photo (a family's door)
            # must not stay on disk with no record pointing at it.
            visit.photo.delete(save=False)
        raise
    return RecordedVisit(visit, created)


def record_visit_from_form(data: dict, *, household: Household, by) -> RecordedVisit:
    """``record_visit_with_proposal`` with a VisitForm's cleaned data: the visit page and
    the phone's outbox (which checks each item with that form) save it alike."""
    return record_visit_with_proposal(
        household=household,
        by=by,
        visited_at=data["visited_at"],
        mode=data["mode"],
        notes=data["notes"],
        needs=data["needs"],
        photo=data["photo"],
        key=data["key"],
        propose_tier=data["propose_tier"],
        proposal_reason=data["proposal_reason"],
    )


class SentProposal(NamedTuple):
    proposal: TierProposal
    created: bool  # False: the same proposal came before, and this is what it saved


def proposal_for_key(*, by, key, household: Household) -> TierProposal | None:
    """The proposal ``by`` already sent with ``key``, if any: a key is its author's own,
    and the same author's key used again for another household is the client's mistake,
    refused naming the key rather than answered with the first proposal."""
    earlier = TierProposal.objects.filter(proposed_by=by, key=key).first()
    if earlier is not None and earlier.household_id != household.pk:
        raise ValidationError(
            {"key": _("The key %(key)s was already used for another proposal.") % {"key": key}},
            code="key_reused",
        )
    return earlier


@transaction.atomic
def send_proposal(*, household: Household, tier: Tier, reason: str, by, key) -> SentProposal:
    """``propose_tier_change`` once per ``key``: a double tap, or a phone's outbox sent
    again after a lost answer, gets the proposal the first one saved.

    The household is locked before the key is looked for: the same proposal sent twice
    at the same moment waits here for the first, then finds it, instead of being refused
    as a second pending proposal."""
    household = Household.objects.select_for_update().select_related("unit", "tier").get(pk=household.pk)
    if earlier := proposal_for_key(by=by, key=key, household=household):
        return SentProposal(earlier, created=False)
    if not household.is_active:
        raise ValidationError(
            {
                "household": _(
                    "This household is no longer followed up (%(status)s): its tier cannot change."
                )
                % {"status": household.get_status_display()}
            }
        )
    proposal = propose_tier_change(household=household, tier=tier, reason=reason, by=by, key=key)
    return SentProposal(proposal, created=True)


def _decide(proposal: TierProposal, by, status: str, reason: str) -> TierProposal:
    if errors := field_errors(TierProposal, decision_reason=reason):
        raise ValidationError({"reason": errors["decision_reason"]})
    locked = TierProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.PENDING:
        raise ValidationError(_("This proposal has already been decided."))
    locked.status, locked.decided_by, locked.decided_at = status, by, timezone.now()
    locked.decision_reason = reason
    return locked


@transaction.atomic
def approve_proposal(*, proposal: TierProposal, by, note: str = "") -> TierProposal:
    """Make the change through ``change_tier``; the proposer is told."""
    proposal = _decide(proposal, by, ProposalStatus.APPROVED, (note or "").strip())
    household = Household.objects.get(pk=proposal.household_id)
    reason = _("Proposed by %(proposer)s: %(reason)s") % {
        "proposer": proposal.proposed_by.get_full_name() or proposal.proposed_by.get_username(),
        "reason": proposal.reason,
    }
    proposal.tier_change = change_tier(household=household, tier=proposal.to_tier, reason=reason, by=by)
    proposal.save()
    Notification.objects.create(
        recipient_id=proposal.proposed_by_id,
        kind=NotificationKind.PROPOSAL_APPROVED,
        household_id=proposal.household_id,
        proposal=proposal,
    )
    webhook_events.proposal_decided(proposal)
    return proposal


@transaction.atomic
def reject_proposal(*, proposal: TierProposal, by, reason: str) -> TierProposal:
    """Refuse with a reason, which the proposer sees in their inbox."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the proposal is rejected: the proposer will see it.")})
    proposal = _decide(proposal, by, ProposalStatus.REJECTED, reason)
    proposal.save()
    Notification.objects.create(
        recipient_id=proposal.proposed_by_id,
        kind=NotificationKind.PROPOSAL_REJECTED,
        household_id=proposal.household_id,
        proposal=proposal,
    )
    webhook_events.proposal_decided(proposal)
    return proposal
