"""Monitoring's sections of the household card (households.card): "Log a visit" and
"Propose tier", the follow-up of the period, a pending proposal, the last visits and the
tier history."""

from households.card import ACTIONS, BUTTONS, Card, CardSection, register_section
from monitoring.models import FollowUp, FollowUpStatus, ProposalStatus, TierChange, Visit


def _pending_proposal(card: Card):
    # Asked for by the button (hidden while one waits) and by the note: one query.
    return card.once(
        "monitoring.pending_proposal",
        lambda: (
            card.household.tier_proposals.filter(status=ProposalStatus.PENDING)
            .select_related("to_tier", "proposed_by")
            .first()
        ),
    )


def _follow_ups(card: Card) -> dict:
    household = card.household
    return {
        "follow_up": FollowUp.objects.filter(household=household, status=FollowUpStatus.OPEN).first(),
        "recent_follow_ups": FollowUp.objects.filter(household=household)
        .exclude(status=FollowUpStatus.OPEN)
        .order_by("-period_start")[:5],
    }


def _visits(card: Card) -> dict:
    return {
        "visits": Visit.objects.filter(household=card.household)
        .select_related("visited_by")
        .order_by("-visited_at")[:5]
    }


def _tier_history(card: Card) -> dict:
    return {
        "tier_history": TierChange.objects.filter(household=card.household)
        .select_related("from_tier", "to_tier", "changed_by")
        .order_by("-changed_at")[:10]
    }


for section in [
    CardSection(
        name="monitoring.log_visit", template="monitoring/card/log_visit.html", order=10, slot=ACTIONS
    ),
    CardSection(
        name="monitoring.propose",
        template="monitoring/card/propose_button.html",
        order=30,
        slot=BUTTONS,
        context=lambda card: {"pending_proposal": _pending_proposal(card)},
    ),
    CardSection(
        name="monitoring.follow_up", template="monitoring/card/follow_up.html", order=10, context=_follow_ups
    ),
    CardSection(
        name="monitoring.proposal",
        template="monitoring/card/proposal.html",
        order=20,
        context=lambda card: {"pending_proposal": _pending_proposal(card)},
    ),
    CardSection(name="monitoring.visits", template="monitoring/card/visits.html", order=70, context=_visits),
    CardSection(
        name="monitoring.tier_history",
        template="monitoring/card/tier_history.html",
        order=80,
        context=_tier_history,
    ),
]:
    register_section(section)
