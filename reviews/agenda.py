"""The agenda of a monthly review (月研判): which households of a unit the meeting must look
at this month, and why, each once with its facts on one line; and what became of the
decisions of the unit's previous review (月督促).

Every rule is one query over the households in the user's scope below the unit, whatever
their number: the agenda of a community of 10,000 households costs the same dozen
queries as one of five (tests/reviews/test_agenda_queries.py; ``make bench``).

The rules (the month is the review's; "now" is the day the agenda is read):
- new employment warnings: raised during the month, cleared since or not;
- a tier proposal waiting for a decision (now);
- follow-ups missed twice or more among those due during the month;
- a case overdue now, or escalated above its building and still open;
- a zero-employment household, or an income under the warning line (the employment
  rules' open warnings, kept in line with the records on every save and nightly);
- a tier neither changed nor reviewed (any decision but a deferral) for
  ``REVIEW_TIER_STALE_DAYS`` before the end of the month (or today, if sooner);
- last review's decision not done yet (a deferral always comes back).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from employment.models import EmploymentWarning, WarningKind
from households.models import Household, HouseholdStatus
from monitoring.models import FollowUp, FollowUpStatus, ProposalStatus, TierProposal, Visit
from monitoring.periods import local_midnight
from reviews.models import Decision, DecisionKind, Review
from services.models import ACTIVE_STATUSES, CaseLevel, CaseStatus, ServiceCase, overdue_on


class Why:
    """The agenda's reasons, as codes (the page filters by them) with their labels."""

    NEW_WARNING = "new_warning"
    PROPOSAL = "proposal"
    MISSED = "missed"
    CASE = "case"
    ZERO_EMPLOYMENT = "zero_employment"
    LOW_INCOME = "low_income"
    STALE = "stale"
    NOT_DONE = "not_done"

    @staticmethod
    def choices():
        return [
            (Why.NEW_WARNING, _("New employment warnings")),
            (Why.PROPOSAL, _("Tier proposal waiting")),
            (Why.MISSED, _("Follow-ups missed twice or more")),
            (Why.CASE, _("Case overdue or escalated")),
            (Why.ZERO_EMPLOYMENT, _("Zero-employment household")),
            (Why.LOW_INCOME, _("Income under the line")),
            (Why.STALE, _("Tier not reviewed for a long time")),
            (Why.NOT_DONE, _("Last review's decision not done")),
        ]


@dataclass
class FollowThrough:
    """A decision of an earlier review and whether it was carried out (月督促)."""

    decision: Decision
    done: bool
    state: str  # what was found, in words


@dataclass
class AgendaRow:
    household: Household | None
    household_id: int
    why: dict[str, str] = field(default_factory=dict)  # code → the fact, in words
    decisions: list[Decision] = field(default_factory=list)  # this review's, oldest first
    earlier: FollowThrough | None = None

    @property
    def facts(self) -> str:
        """Why it is on the agenda; for a household that is there only because it was
        decided (its tier changed, its proposal answered), why it was when decided."""
        if not self.why and self.decisions:
            return self.decisions[-1].facts
        return " · ".join(self.why.values())

    @property
    def decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None


@dataclass
class Agenda:
    unit: object
    month: datetime.date
    review: Review | None
    previous: Review | None
    rows: dict[int, AgendaRow]  # by household id, in the agenda's order
    follow_through: list[FollowThrough]
    proposals: dict[int, TierProposal]  # pending, by household id

    def counts(self) -> dict[str, int]:
        counted = dict.fromkeys((code for code, _label in Why.choices()), 0)
        for row in self.rows.values():
            for code in row.why:
                counted[code] += 1
        return counted


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first day of the month and the first day of the next."""
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following


def households_below(unit, user):
    """The active households below ``unit`` that ``user`` may see (a subquery)."""
    return Household.objects.visible_to(user).below(unit).filter(status=HouseholdStatus.ACTIVE)


def _person(user) -> str:
    if user is None:
        return "—"
    return f"{user.last_name}{user.first_name}" or user.get_username()


def follow_through(decision: Decision, *, visited: bool) -> FollowThrough:
    """Whether a decision was carried out, by kind (README, "The monthly review"):

    - keep: nothing to carry out — done;
    - change the tier: done while the household is in the tier decided (the change was
      written at the meeting; a later change shows as "changed since");
    - open a case: done when the case is closed (resolved is not enough: staff close it);
    - a measure: done when the person named recorded a visit to the household after the
      decision;
    - defer: never done by itself; the household is back on the next agenda.
    """
    kind = decision.kind
    if kind == DecisionKind.KEEP:
        return FollowThrough(decision, True, _("Nothing to do"))
    if kind == DecisionKind.CHANGE_TIER:
        now = decision.household.tier
        if decision.tier_change_id and now.pk == decision.tier_id:
            return FollowThrough(decision, True, _("In %(tier)s as decided") % {"tier": now.name})
        return FollowThrough(decision, False, _("Changed since: now %(tier)s") % {"tier": now.name})
    if kind == DecisionKind.OPEN_CASE:
        case = decision.case
        if case is not None and case.status == CaseStatus.CLOSED:
            return FollowThrough(decision, True, _("Case closed"))
        status = case.get_status_display() if case is not None else "—"
        return FollowThrough(decision, False, _("Case %(status)s") % {"status": status})
    if kind == DecisionKind.MEASURE:
        if visited:
            return FollowThrough(
                decision, True, _("%(person)s has visited since") % {"person": _person(decision.person)}
            )
        return FollowThrough(
            decision, False, _("No visit by %(person)s since") % {"person": _person(decision.person)}
        )
    return FollowThrough(decision, False, _("Deferred: on this agenda again"))


def earlier_follow_through(previous: Review | None, households) -> list[FollowThrough]:
    """The previous review's decisions (the latest per household) with whether each was
    done: one query."""
    if previous is None:
        return []
    visited = Visit.objects.filter(
        household=OuterRef("household"), visited_by=OuterRef("person"), visited_at__gte=OuterRef("decided_at")
    )
    decisions = (
        Decision.objects.filter(review=previous, household__in=households)
        .select_related("household__tier", "household__building", "tier", "case", "person", "decided_by")
        .annotate(visited=Exists(visited))
    )
    latest = decisions.latest_per_household()
    return [follow_through(d, visited=d.visited) for d in latest.values()]


def build_agenda(*, unit, month: datetime.date, user, today: datetime.date | None = None) -> Agenda:
    """The agenda of ``unit`` for ``month`` as ``user`` may see it, in a constant number of
    queries. Households are not read here (see ``load_households``): a page shows a page
    of them."""
    today = today or timezone.localdate()
    first, following = month_bounds(month)
    start, end = local_midnight(first), local_midnight(following)
    households = households_below(unit, user)
    rows: dict[int, AgendaRow] = {}

    def add(household_id, code, fact):
        row = rows.setdefault(household_id, AgendaRow(None, household_id))
        row.why[code] = f"{row.why[code]}, {fact}" if code in row.why else fact

    # The employment warnings: those raised this month, and the open zero-employment and
    # low-income ones, in one query.
    warnings = EmploymentWarning.objects.filter(household__in=households).filter(
        Q(raised_at__gte=start, raised_at__lt=end)
        | Q(cleared_at__isnull=True, kind__in=[WarningKind.ZERO_EMPLOYMENT, WarningKind.LOW_INCOME])
    )
    labels = dict(WarningKind.choices)
    for household_id, kind, raised_at, cleared_at in warnings.values_list(
        "household_id", "kind", "raised_at", "cleared_at"
    ).order_by("raised_at", "id"):
        if start <= raised_at < end:
            add(household_id, Why.NEW_WARNING, _("new warning: %(kind)s") % {"kind": labels[kind]})
        if cleared_at is None and kind == WarningKind.ZERO_EMPLOYMENT:
            add(household_id, Why.ZERO_EMPLOYMENT, _("zero employment"))
        if cleared_at is None and kind == WarningKind.LOW_INCOME:
            add(household_id, Why.LOW_INCOME, _("income under the line"))

    proposals = {
        p.household_id: p
        for p in TierProposal.objects.filter(household__in=households, status=ProposalStatus.PENDING)
        .select_related("from_tier", "to_tier", "proposed_by")
        .order_by("proposed_at")
    }
    for household_id, p in proposals.items():
        add(
            household_id,
            Why.PROPOSAL,
            _("proposal %(from)s → %(to)s by %(who)s")
            % {"from": p.from_tier.name, "to": p.to_tier.name, "who": _person(p.proposed_by)},
        )

    missed = (
        FollowUp.objects.filter(
            household__in=households, status=FollowUpStatus.MISSED, due_on__gte=first, due_on__lt=following
        )
        .order_by()
        .values("household_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
    )
    for row in missed:
        add(row["household_id"], Why.MISSED, _("%(n)s follow-ups missed") % {"n": row["n"]})

    cases = ServiceCase.objects.filter(household__in=households).filter(
        overdue_on(today) | Q(status__in=ACTIVE_STATUSES, level__in=[CaseLevel.COMMUNITY, CaseLevel.STREET])
    )
    categories = dict(ServiceCase._meta.get_field("category").choices)
    for household_id, category, due_on in cases.values_list("household_id", "category", "due_on").order_by(
        "due_on", "id"
    ):
        if due_on < today:
            fact = _("case %(category)s overdue since %(due)s") % {
                "category": categories[category],
                "due": due_on,
            }
        else:
            fact = _("case %(category)s escalated") % {"category": categories[category]}
        add(household_id, Why.CASE, fact)

    # Neither changed nor reviewed since the cut-off. A household with no tier history
    # (registered before histories were kept) counts from its registration.
    reference = min(today, following - datetime.timedelta(days=1))
    cutoff = local_midnight(reference - datetime.timedelta(days=settings.REVIEW_TIER_STALE_DAYS))
    reviewed = Decision.objects.filter(household=OuterRef("pk"), decided_at__gte=cutoff).exclude(
        kind=DecisionKind.DEFER
    )
    stale = (
        households.annotate(since=Coalesce("tier_changed_at", "created_at"))
        .filter(since__lt=cutoff)
        .exclude(Exists(reviewed))
        .values_list("pk", "since")
    )
    for household_id, since in stale:
        days = (reference - timezone.localdate(since)).days
        add(household_id, Why.STALE, _("tier unchanged for %(days)s days") % {"days": days})

    review = Review.objects.filter(unit=unit, month=first).first()
    previous = Review.objects.filter(unit=unit, month__lt=first).order_by("-month").first()
    earlier = earlier_follow_through(previous, households)
    for item in earlier:
        if not item.done:
            add(item.decision.household_id, Why.NOT_DONE, _("last review: %(state)s") % {"state": item.state})
    by_household = {item.decision.household_id: item for item in earlier}

    if review is not None:
        # Households decided in this review stay on its agenda, with their decisions.
        decisions = (
            Decision.objects.filter(review=review, household__in=households)
            .select_related("tier", "person", "case", "decided_by")
            .order_by("decided_at", "id")
        )
        for decision in decisions:
            rows.setdefault(decision.household_id, AgendaRow(None, decision.household_id)).decisions.append(
                decision
            )
    for household_id, row in rows.items():
        row.earlier = by_household.get(household_id)
    return Agenda(unit, first, review, previous, rows, [*by_household.values()], proposals)


def ordered_ids(agenda: Agenda, why: str | None = None) -> list[int]:
    """The agenda's households, most urgent tier first, then by address: one query."""
    ids = [pk for pk, row in agenda.rows.items() if not why or why in row.why]
    if not ids:
        return []
    return list(
        Household.objects.filter(pk__in=ids)
        .order_by("tier__severity", "building__path", "entrance", "floor", "room")
        .values_list("pk", flat=True)
    )


def load_households(agenda: Agenda, ids: list[int]) -> list[AgendaRow]:
    """The rows of these households, with the households read: one query."""
    households = Household.objects.filter(pk__in=ids).select_related("building", "tier", "unit")
    found = {h.pk: h for h in households}
    rows = []
    for pk in ids:
        row = agenda.rows[pk]
        row.household = found[pk]
        rows.append(row)
    return rows
