"""The demo's monthly review (a step of ``seed_demo``; ``grids.demo`` says how the steps fit
together): last month's meeting of the first community, so that this month's agenda shows
its follow-through (月督促). Its decisions change nothing elsewhere (keep, a measure,
defer): the settlement the other steps built stays as they built it."""

import datetime

from django.utils import timezone

from grids.demo import DemoContext, demo_step
from households.models import Household
from reviews.agenda import build_agenda
from reviews.models import Decision, DecisionKind, Review
from services.cases import responsible_worker

DECIDED = 12  # households decided at the demo's meeting


# 85: after the trend chart (70); another app's later step may take 80.
@demo_step(85)
def build_last_review(ctx: DemoContext) -> None:
    if not ctx.communities or "staff" not in ctx.users:
        return
    staff, community = ctx.users["staff"], ctx.communities[0]
    month = (ctx.today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    held_on = month.replace(day=28)
    decided_at = datetime.datetime.combine(held_on, datetime.time(15), tzinfo=timezone.get_default_timezone())
    agenda = build_agenda(unit=community, month=month, user=staff, today=held_on)
    ids = sorted(agenda.rows)[:DECIDED]
    if not ids:
        return
    review = Review.objects.create(
        unit=community,
        month=month,
        held_on=held_on,
        recorded_by=staff,
        recorded_at=decided_at,
        other_attendees="居民代表\n街道联系干部",
        minutes="一、通报本月排查情况。\n二、逐户研判重点户，明确措施和责任人。\n三、下月督促落实。",
    )
    review.attendees.set([staff, ctx.users.get("gridhead", staff)])
    households = Household.objects.select_related("unit").in_bulk(ids)
    decisions = []
    for n, pk in enumerate(ids):
        kind = [DecisionKind.KEEP, DecisionKind.MEASURE, DecisionKind.DEFER][n % 3]
        person = responsible_worker(households[pk]) if kind == DecisionKind.MEASURE else None
        if kind == DecisionKind.MEASURE and person is None:
            kind = DecisionKind.KEEP
        decisions.append(
            Decision(
                review=review,
                household_id=pk,
                kind=kind,
                facts=agenda.rows[pk].facts[:500],
                measure="送岗上门，推荐公益性岗位" if kind == DecisionKind.MEASURE else "",
                person=person,
                reason="待核实收入后再议" if kind == DecisionKind.DEFER else "",
                decided_by=staff,
                decided_at=decided_at,
            )
        )
    Decision.objects.bulk_create(decisions)
    ctx.figures["review decisions"] = len(decisions)
