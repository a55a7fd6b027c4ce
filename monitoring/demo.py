"""The demo's monitoring: which tier scheme each community follows, the last days of
follow-ups and visits as the engine would have left them, and the daily tier counts of the
wall's trend chart (steps of ``seed_demo``; ``grids.demo`` says how they fit together)."""

import datetime

from django.db import connection

from grids.demo import BATCH, DemoContext, demo_step
from households.demo import at_nine
from households.models import Household
from monitoring.followups import generate_follow_ups
from monitoring.models import FollowUp, FollowUpStatus, TierScheme, UnitTierScheme, Visit, VisitMode
from monitoring.snapshots import backfill_tier_snapshots, snapshot_day


@demo_step(15)
def choose_tier_schemes(ctx: DemoContext) -> None:
    """The first community keeps 东川's four colours, to show both schemes at work; the
    others follow 鲁甸's three. Before the households, which take their first tier from
    their community's scheme."""
    three = TierScheme.objects.get(code="three-colour")
    four = TierScheme.objects.get(code="four-colour")
    ctx.tier_schemes = {c.pk: four if i == 0 else three for i, c in enumerate(ctx.communities)}
    UnitTierScheme.objects.bulk_create(
        [UnitTierScheme(unit_id=pk, scheme=scheme) for pk, scheme in ctx.tier_schemes.items()],
        batch_size=BATCH,
    )


@demo_step(60)
def build_followed_week(ctx: DemoContext) -> None:
    if connection.vendor == "postgresql":
        # Fresh statistics for what was just loaded: planned on an empty table's figures,
        # a follow-up run can take minutes instead of seconds.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    ctx.figures["visits"] = build_recent_visits(ctx, ctx.options.get("history_days", 7))


@demo_step(70)
def build_trend_counts(ctx: DemoContext) -> None:
    every_days = ctx.options.get("trend_every_days", 30)
    ctx.figures["daily tier counts"] = build_trend(ctx, every_days) if every_days else 0


def build_recent_visits(ctx: DemoContext, days: int) -> int:
    """The last ``days`` days as the engine saw them: most follow-ups visited on time,
    some missed, so that Today and the wall look like a working week. Returns the visits."""
    rng, today = ctx.rng, ctx.today
    visited = 0
    if days:
        # The engine has followed them for the week replayed, not longer.
        Household.objects.update(followed_since=at_nine(today - datetime.timedelta(days=days)))
    for back in range(days, 0, -1):
        day = today - datetime.timedelta(days=back)
        generate_follow_ups(day)
        open_ = FollowUp.objects.filter(status=FollowUpStatus.OPEN).values_list(
            "pk", "household_id", "assignee_id", "due_on", "period_start"
        )
        visits, closing = [], {}
        for pk, household_id, assignee_id, due_on, period_start in open_:
            # Nine visits in ten are made in time: a daily one on its day, a longer
            # period's on any of its days. On the first day replayed, a period that
            # began before it has had those days too (else the demo seeded on the
            # 3rd of a month would show most of last month missed).
            span = (day - period_start).days + 1 if back == days else 1
            chance = 0.9 * span / ((due_on - period_start).days + 1)
            if assignee_id is None or rng.random() > chance:
                continue
            on = day - datetime.timedelta(days=rng.randrange(span))
            at = at_nine(on) + datetime.timedelta(hours=rng.randint(1, 9), minutes=rng.randint(0, 59))
            visit = Visit(
                household_id=household_id,
                visited_by_id=assignee_id,
                visited_at=at,
                mode=rng.choice([VisitMode.DOOR] * 4 + [VisitMode.PHONE]),
                notes="",
            )
            visits.append(visit)
            closing[pk] = visit
        Visit.objects.bulk_create(visits, batch_size=BATCH)
        for pk, visit in closing.items():
            FollowUp.objects.filter(pk=pk).update(
                status=FollowUpStatus.DONE, visit=visit, closed_at=visit.visited_at
            )
        visited += len(visits)
    # And today as the engine starts it: what ended yesterday is missed (on a Monday,
    # last week's visits), today's periods are open. With no history asked for (the
    # bench times the first generation itself), the engine has not started yet.
    if days:
        generate_follow_ups(today)
    return visited


def build_trend(ctx: DemoContext, every_days: int) -> int:
    """Daily tier counts replayed from the tier history since the last family moved in,
    one day in ``every_days``, and yesterday's, as the daily job would have left them:
    what the wall's trend chart draws. Returns the counts written."""
    first = Household.objects.order_by("-relocated_on").values_list("relocated_on", flat=True).first()
    if first is None:
        return 0
    yesterday = ctx.today - datetime.timedelta(days=1)
    written = backfill_tier_snapshots(first, yesterday - datetime.timedelta(days=1), every_days)
    return written + snapshot_day(yesterday)
