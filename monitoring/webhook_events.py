"""What monitoring tells webhooks (``webhooks.outbox``), called by the service functions
inside their transactions. Ids, codes and times only: a receiver fetches the rest through
the API, within its own scope."""

from monitoring.models import FollowUp, FollowUpStatus, TierChange, TierProposal
from webhooks.models import EventType
from webhooks.outbox import emit, emit_many, when


def _tier_change(change: TierChange) -> dict:
    return {
        "household": change.household_id,
        "tier_change": change.pk,
        "from_tier": change.from_tier.code if change.from_tier_id else None,
        "to_tier": change.to_tier.code,
        "changed_at": when(change.changed_at),
    }


def tiers_changed(changes: list[TierChange], unit_ids: dict[int, int]) -> None:
    """``unit_ids``: each changed household's unit, by household id."""
    emit_many(EventType.TIER_CHANGED, lambda: [(unit_ids[c.household_id], _tier_change(c)) for c in changes])


def tier_changed(change: TierChange, *, unit_id: int) -> None:
    tiers_changed([change], {change.household_id: unit_id})


def _proposal(proposal: TierProposal) -> dict:
    return {
        "proposal": proposal.pk,
        "household": proposal.household_id,
        "from_tier": proposal.from_tier.code,
        "to_tier": proposal.to_tier.code,
        "status": proposal.status,
        "proposed_at": when(proposal.proposed_at),
        "decided_at": when(proposal.decided_at),
        "tier_change": proposal.tier_change_id,
    }


def proposal_made(proposal: TierProposal, *, unit_id: int) -> None:
    emit(EventType.PROPOSAL_MADE, unit_id=unit_id, data=_proposal(proposal))


def proposal_decided(proposal: TierProposal) -> None:
    emit(EventType.PROPOSAL_DECIDED, unit_id=proposal.household.unit_id, data=_proposal(proposal))


def follow_ups_missed(*, closed_at) -> None:
    """The follow-ups ``mark_missed`` claimed: they carry its run's timestamp."""

    def items():
        claimed = FollowUp.objects.filter(status=FollowUpStatus.MISSED, closed_at=closed_at).order_by("pk")
        return [
            (
                row["household__unit_id"],
                {
                    "follow_up": row["pk"],
                    "household": row["household_id"],
                    "tier": row["tier__code"],
                    "period_start": when(row["period_start"]),
                    "period_end": when(row["period_end"]),
                    "due_on": when(row["due_on"]),
                },
            )
            for row in claimed.values(
                "pk",
                "household_id",
                "household__unit_id",
                "tier__code",
                "period_start",
                "period_end",
                "due_on",
            ).iterator(chunk_size=5000)
        ]

    emit_many(EventType.FOLLOW_UP_MISSED, items)
