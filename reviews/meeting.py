"""Holding the meeting: the review recorded and its decisions written, each through the
service its page uses (a tier change through ``change_tier``, a proposal through its
approve or reject, a case through ``open_case``), all in one transaction: one refused
decision refuses them all, each refusal said beside its household."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.validators import field_errors
from grids.models import GridUnit
from households.models import Household
from monitoring.models import Tier
from monitoring.services import approve_proposal, change_tier, reject_proposal
from reviews.agenda import Agenda
from reviews.models import Decision, DecisionKind, Review
from services.cases import open_case
from services.models import Urgency


@dataclass
class Proposed:
    """One row of the meeting's form: what the meeting decided for a household."""

    household_id: int
    kind: str
    reason: str = ""
    tier: Tier | None = None
    measure: str = ""
    person: object = None
    category: str = ""
    urgency: str = Urgency.NORMAL


class MeetingRefused(Exception):
    """Nothing was saved; ``errors`` says why, by household id (None: the meeting itself)."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def _allowed(user, permission: str, what: str) -> None:
    if not user.has_perm(permission):
        raise ValidationError(_("You may not %(what)s.") % {"what": what})


def _decide(*, review: Review, household: Household, proposed: Proposed, row, proposal, by) -> Decision:
    month = review.month_label
    decision = Decision(
        review=review,
        household=household,
        kind=proposed.kind,
        facts=row.facts[:500],
        reason=proposed.reason,
        decided_by=by,
        corrects=row.decision,
    )
    if errors := field_errors(Decision, reason=proposed.reason, measure=proposed.measure):
        raise ValidationError(errors)
    kind = proposed.kind
    if proposal is not None and kind in (DecisionKind.KEEP, DecisionKind.CHANGE_TIER):
        # The household's pending proposal is the question this decision answers.
        _allowed(by, "monitoring.decide_tierproposal", _("decide tier proposals"))
        decision.proposal = proposal
    if kind == DecisionKind.KEEP:
        if proposal is not None:
            reason = proposed.reason or _("The monthly review of %(month)s kept the tier.") % {"month": month}
            reject_proposal(proposal=proposal, by=by, reason=reason)
    elif kind == DecisionKind.CHANGE_TIER:
        _allowed(by, "monitoring.add_tierchange", _("change tiers"))
        if not proposed.reason:
            raise ValidationError(_("Say why the tier changes."))
        if proposal is not None and proposal.to_tier_id == proposed.tier.pk:
            decision.tier_change = approve_proposal(
                proposal=proposal, by=by, note=proposed.reason
            ).tier_change
        else:
            if proposal is not None:
                reject_proposal(
                    proposal=proposal,
                    by=by,
                    reason=_("The monthly review of %(month)s chose %(tier)s instead: %(reason)s")
                    % {"month": month, "tier": proposed.tier.name, "reason": proposed.reason},
                )
            decision.tier_change = change_tier(
                household=household,
                tier=proposed.tier,
                reason=_("Monthly review %(month)s: %(reason)s")
                % {"month": month, "reason": proposed.reason},
                by=by,
            )
        decision.tier = proposed.tier
    elif kind == DecisionKind.OPEN_CASE:
        _allowed(by, "services.add_servicecase", _("open cases"))
        decision.case = open_case(
            household=household,
            category=proposed.category,
            description=proposed.reason,
            urgency=proposed.urgency,
            by=by,
            assigned_to=proposed.person,
        )
        decision.person = decision.case.assigned_to
    elif kind == DecisionKind.MEASURE:
        decision.measure, decision.person = proposed.measure, proposed.person
    decision.save()
    return decision


@transaction.atomic
def hold_review(
    *,
    agenda: Agenda,
    by,
    held_on: datetime.date,
    attendees,
    other_attendees: str,
    minutes: str,
    decisions: list[Proposed],
) -> Review:
    """Record the meeting of ``agenda``'s unit and month (the same review, if the meeting
    was recorded before: its attendees and minutes as now given) and append its decisions.

    The unit's row is locked first: two people recording the same meeting at once are
    serialised, the second finds the first's review, and a decision the first already
    carried out (a tier changed, a proposal decided) is refused to the second."""
    unit = GridUnit.objects.select_for_update().get(pk=agenda.unit.pk)
    if errors := field_errors(Review, minutes=minutes, other_attendees=other_attendees):
        raise MeetingRefused({None: [m for messages in errors.values() for m in messages]})
    review, created = Review.objects.get_or_create(
        unit=unit,
        month=agenda.month,
        defaults={
            "held_on": held_on,
            "other_attendees": other_attendees,
            "minutes": minutes,
            "recorded_by": by,
        },
    )
    if not created:
        review.held_on, review.other_attendees, review.minutes = held_on, other_attendees, minutes
        review.save(update_fields=["held_on", "other_attendees", "minutes"])
    review.attendees.set(attendees)

    households = Household.objects.select_related("unit", "tier").in_bulk([p.household_id for p in decisions])
    errors: dict = {}
    for proposed in decisions:
        row = agenda.rows.get(proposed.household_id)
        if row is None or proposed.household_id not in households:
            errors[proposed.household_id] = [_("This household is not on the agenda.")]
            continue
        try:
            with transaction.atomic():
                _decide(
                    review=review,
                    household=households[proposed.household_id],
                    proposed=proposed,
                    row=row,
                    proposal=agenda.proposals.get(proposed.household_id),
                    by=by,
                )
        except ValidationError as error:
            errors[proposed.household_id] = error.messages
    if errors:
        raise MeetingRefused(errors)  # leaving the transaction undoes every decision
    return review
