"""A unit's figures for a month, as plain data (stored as JSON in ``MonthlyReport``).

Every figure is a grouped query over the unit's subtree (one prefix range on the path
index), never a query per household: a county's report is a few dozen statements
whatever its size, and what comes back is counts, one row per tier, worker, building or
category, so memory stays flat as households grow.

The month is Asia/Shanghai's: [first day 00:00, first day of the next month 00:00).
Tier figures are "at the end of the month" as the daily snapshots define the end of a
day (monitoring.snapshots); employment and income are the state when the report is
computed (they keep no history of their own), which is why a report is computed on the
first of the following month and then kept.
"""

import datetime
import statistics

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, IntegerField, Q, Subquery, Sum, Value, When
from django.db.models import OuterRef as Outer
from django.utils import timezone

from employment.models import EMPLOYED, EmploymentWarning, IncomeLine, LabourRecord, WarningKind
from employment.rules import employed, labour_force, latest_income
from grids.models import GridUnit
from households.exports import person
from households.models import Household, HouseholdStatus, Member
from monitoring.models import FollowUp, FollowUpStatus, Tier, TierChange, TierSnapshot, Visit
from monitoring.periods import local_midnight
from reports.models import next_month, previous_month
from services.models import CaseEvent, CaseStatus, EntryKind, EventKind, PointEntry, ServiceCase

TREND_MONTHS = 12
# Version of the figures' shape: a page reading an older shape can tell.
SHAPE = 1


def _below(unit: GridUnit, path: str = "unit__path") -> Q:
    return Q(**{f"{path}__startswith": unit.path})


def _lived(unit: GridUnit, last: datetime.date):
    """The households that lived under the unit at the end of ``last`` (as the snapshots
    count them: moved in by then, not moved out before its end)."""
    return Household.objects.filter(_below(unit)).filter(
        Q(relocated_on__isnull=True) | Q(relocated_on__lte=last),
        Q(status=HouseholdStatus.ACTIVE) | Q(moved_out_on__gt=last),
    )


def tier_counts_at(unit: GridUnit, last: datetime.date) -> dict[int, int]:
    """Households per tier at the end of ``last``, replayed from the tier history: one
    grouped query (the history is read only for households whose tier changed since)."""
    end = local_midnight(last + datetime.timedelta(days=1))
    before = (
        TierChange.objects.filter(household=Outer("pk"), changed_at__lt=end)
        .order_by("-changed_at", "-id")
        .values("to_tier")[:1]
    )
    tier_then = Case(
        When(Q(tier_changed_at__isnull=True) | Q(tier_changed_at__lt=end), then=F("tier_id")),
        default=Subquery(before),
        output_field=IntegerField(),
    )
    rows = _lived(unit, last).annotate(then=tier_then).order_by().values("then").annotate(n=Count("pk"))
    return {row["then"]: row["n"] for row in rows if row["then"] is not None}


def _tiers(unit: GridUnit, month: datetime.date, last: datetime.date, end: datetime.datetime):
    start = local_midnight(month)
    now = tier_counts_at(unit, last)

    # The trend: each earlier month's last snapshot of the unit (one query for the year);
    # a month without one (a building, a month before the job ran) replayed from history.
    first = month
    for _ in range(TREND_MONTHS - 1):
        first = previous_month(first)
    months = []
    m = first
    while m < month:
        months.append(m)
        m = next_month(m)
    latest_day: dict[datetime.date, datetime.date] = {}
    snap: dict[tuple[datetime.date, int], int] = {}
    for day, tier, n in TierSnapshot.objects.filter(unit=unit, day__gte=first, day__lt=month).values_list(
        "day", "tier_id", "households"
    ):
        key = day.replace(day=1)
        latest_day[key] = max(latest_day.get(key, day), day)
        snap[(day, tier)] = n
    trend_counts = []
    for m in months:
        if m in latest_day:
            d = latest_day[m]
            trend_counts.append((m, {t: n for (day, t), n in snap.items() if day == d}))
        else:
            trend_counts.append((m, tier_counts_at(unit, next_month(m) - datetime.timedelta(days=1))))
    trend_counts.append((month, now))

    moves = (
        TierChange.objects.filter(_below(unit, "household__unit__path"))
        .filter(changed_at__gte=start, changed_at__lt=end, from_tier__isnull=False)
        .order_by()
        .values("from_tier", "to_tier")
        .annotate(changes=Count("pk"), households=Count("household", distinct=True))
    )
    moves = list(moves)
    better = Q(to_tier__severity__gt=F("from_tier__severity"), to_tier__scheme=F("from_tier__scheme"))
    worse = Q(to_tier__severity__lt=F("from_tier__severity"), to_tier__scheme=F("from_tier__scheme"))
    moved = (
        TierChange.objects.filter(_below(unit, "household__unit__path"))
        .filter(changed_at__gte=start, changed_at__lt=end, from_tier__isnull=False)
        .aggregate(
            improved=Count("household", distinct=True, filter=better),
            worsened=Count("household", distinct=True, filter=worse),
        )
    )

    ids = set(now) | {t for _, counts in trend_counts for t in counts}
    ids |= {row["from_tier"] for row in moves} | {row["to_tier"] for row in moves}
    tiers = list(
        Tier.objects.filter(pk__in=ids).select_related("scheme").order_by("scheme__code", "severity")
    )
    by_id = {t.pk: t for t in tiers}
    total = sum(now.values())
    tier_rows = []
    for t in tiers:
        into_better = sum(r["households"] for r in moves if r["to_tier"] == t.pk and _rank(by_id, r) == 1)
        into_worse = sum(r["households"] for r in moves if r["to_tier"] == t.pk and _rank(by_id, r) == -1)
        out_better = sum(r["households"] for r in moves if r["from_tier"] == t.pk and _rank(by_id, r) == 1)
        out_worse = sum(r["households"] for r in moves if r["from_tier"] == t.pk and _rank(by_id, r) == -1)
        tier_rows.append(
            {
                "id": t.pk,
                "code": t.code,
                "name": t.name,
                "scheme": t.scheme.name,
                "colour": t.colour,
                "severity": t.severity,
                "households": now.get(t.pk, 0),
                "share": _pct(now.get(t.pk, 0), total),
                "in_from_worse": into_better,
                "in_from_better": into_worse,
                "out_to_better": out_better,
                "out_to_worse": out_worse,
            }
        )
    trend = []
    for m, counts in trend_counts:
        n = sum(counts.values())
        trend.append(
            {
                "month": f"{m:%Y-%m}",
                "households": n,
                "tiers": {str(t.pk): counts.get(t.pk, 0) for t in tiers},
                "shares": {str(t.pk): _pct(counts.get(t.pk, 0), n) for t in tiers},
            }
        )
    return {
        "households": total,
        "tiers": tier_rows,
        "trend": trend,
        "moves": [
            {
                "from": r["from_tier"],
                "to": r["to_tier"],
                "from_name": by_id[r["from_tier"]].name,
                "to_name": by_id[r["to_tier"]].name,
                "changes": r["changes"],
                "households": r["households"],
            }
            for r in sorted(
                moves, key=lambda r: (by_id[r["from_tier"]].severity, by_id[r["to_tier"]].severity)
            )
        ],
        "improved": moved["improved"],
        "worsened": moved["worsened"],
    }


def _rank(by_id, row) -> int:
    """1 for a move towards the calmer end of a scheme (red → green), -1 for the other way."""
    a, b = by_id[row["from_tier"]], by_id[row["to_tier"]]
    if a.scheme_id != b.scheme_id or a.severity == b.severity:
        return 0
    return 1 if b.severity > a.severity else -1


def _pct(n: int, total: int) -> float | None:
    return round(100 * n / total, 1) if total else None


def _visits(unit: GridUnit, month: datetime.date, last: datetime.date, end: datetime.datetime):
    """Follow-ups due in the month (done, missed, still open), by worker and by building;
    visits recorded in the month by each worker."""
    follow_ups = (
        FollowUp.objects.filter(_below(unit, "household__unit__path"))
        .filter(due_on__gte=month, due_on__lte=last)
        .exclude(status=FollowUpStatus.CANCELLED)
        .order_by()
    )
    counts = {
        "due": Count("pk"),
        "done": Count("pk", filter=Q(status=FollowUpStatus.DONE)),
        "missed": Count("pk", filter=Q(status=FollowUpStatus.MISSED)),
        "open": Count("pk", filter=Q(status=FollowUpStatus.OPEN)),
    }
    by_worker = list(follow_ups.values("assignee").annotate(**counts))
    by_building = list(follow_ups.values("household__building").annotate(**counts))
    visits = dict(
        Visit.objects.filter(_below(unit, "household__unit__path"))
        .filter(visited_at__gte=local_midnight(month), visited_at__lt=end)
        .order_by()
        .values("visited_by")
        .annotate(n=Count("pk"))
        .values_list("visited_by", "n")
    )
    user_ids = {row["assignee"] for row in by_worker if row["assignee"]} | set(visits)
    names = {
        pk: person(last_name, first_name, username)
        for pk, last_name, first_name, username in get_user_model()
        .objects.filter(pk__in=user_ids)
        .values_list("pk", "last_name", "first_name", "username")
    }
    workers = []
    seen = set()
    for row in by_worker:
        pk = row.pop("assignee")
        seen.add(pk)
        workers.append({"name": names.get(pk, ""), **row, "visits": visits.get(pk, 0)})
    for pk, n in visits.items():
        if pk not in seen:
            workers.append(
                {"name": names.get(pk, ""), "due": 0, "done": 0, "missed": 0, "open": 0, "visits": n}
            )
    workers.sort(key=lambda w: (w["name"] == "", -w["missed"], w["name"]))

    building_ids = {row["household__building"] for row in by_building}
    buildings = {
        pk: (path, name)
        for pk, path, name in GridUnit.objects.filter(pk__in=building_ids).values_list("pk", "path", "name")
    }
    parents = dict(
        GridUnit.objects.filter(path__in={p[: -GridUnit.steplen] for p, _ in buildings.values()}).values_list(
            "path", "name"
        )
    )
    rows = []
    for row in by_building:
        path, name = buildings[row.pop("household__building")]
        within = parents.get(path[: -GridUnit.steplen], "") if len(path) > len(unit.path) else ""
        rows.append({"name": f"{within} {name}".strip(), "path": path, **row})
    rows.sort(key=lambda r: r["path"])
    # The same counts by the unit one level below (a county's streets, a community's
    # areas), added up here from the buildings': what a chart of a large unit shows.
    step = len(unit.path) + GridUnit.steplen
    child_names = dict(
        GridUnit.objects.filter(
            path__in={r["path"][:step] for r in rows if len(r["path"]) >= step}
        ).values_list("path", "name")
    )
    children: dict[str, dict] = {}
    for r in rows:
        path = r.pop("path")
        if path[:step] in child_names:
            child = children.setdefault(
                path[:step], {"name": child_names[path[:step]], "due": 0, "done": 0, "missed": 0, "open": 0}
            )
            for key in ("due", "done", "missed", "open"):
                child[key] += r[key]
    total = {key: sum(w[key] for w in rows) for key in ("due", "done", "missed", "open")}
    total["visits"] = sum(visits.values())
    total["done_share"] = _pct(total["done"], total["due"])
    return {
        "total": total,
        "workers": workers,
        "buildings": rows,
        "units_below": [children[path] for path in sorted(children)],
    }


def _cases(unit: GridUnit, month: datetime.date, last: datetime.date, end: datetime.datetime):
    """Cases opened and closed in the month; those closed, against their deadline."""
    start = local_midnight(month)
    resolved = (
        CaseEvent.objects.filter(
            case=Outer("pk"), kind=EventKind.STATUS, status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED]
        )
        .order_by("at")
        .values("at")[:1]
    )
    cases = (
        ServiceCase.objects.filter(_below(unit, "household__unit__path"))
        .annotate(resolved_at=Subquery(resolved))
        .order_by()
    )
    still_open = Q(opened_at__lt=end) & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
    totals = cases.aggregate(
        opened=Count("pk", filter=Q(opened_at__gte=start, opened_at__lt=end)),
        closed=Count("pk", filter=Q(resolved_at__gte=start, resolved_at__lt=end)),
        open_at_end=Count("pk", filter=still_open),
        late_at_end=Count("pk", filter=still_open & Q(due_on__lte=last)),
    )
    totals["escalated"] = (
        CaseEvent.objects.filter(_below(unit, "case__household__unit__path"))
        .filter(kind=EventKind.ESCALATED, at__gte=start, at__lt=end)
        .count()
    )
    by_category = dict(
        cases.filter(opened_at__gte=start, opened_at__lt=end)
        .values("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    # Days to close and the deadline, for the cases closed in the month: one row each
    # (a month's closings, not the history), read as a stream.
    zone = timezone.get_default_timezone()
    days, on_time, late = [], 0, 0
    for opened_at, resolved_at, due_on in (
        cases.filter(resolved_at__gte=start, resolved_at__lt=end)
        .values_list("opened_at", "resolved_at", "due_on")
        .iterator(chunk_size=2000)
    ):
        days.append((resolved_at - opened_at).total_seconds() / 86400)
        if resolved_at.astimezone(zone).date() <= due_on:
            on_time += 1
        else:
            late += 1
    totals.update(
        on_time=on_time,
        late=late,
        on_time_share=_pct(on_time, on_time + late),
        mean_days=round(statistics.fmean(days), 1) if days else None,
        median_days=round(statistics.median(days), 1) if days else None,
        by_category=dict(sorted(by_category.items(), key=lambda kv: -kv[1])),
    )
    return totals


def _employment(unit: GridUnit):
    households = Household.objects.filter(_below(unit), status=HouseholdStatus.ACTIVE)
    members = Member.objects.filter(
        _below(unit, "household__unit__path"), household__status=HouseholdStatus.ACTIVE
    )
    force = labour_force(members).count()
    current = LabourRecord.objects.filter(member=Outer("pk"), ends_on__isnull=True)
    by_kind = dict(
        employed(labour_force(members))
        .annotate(kind=Subquery(current.values("status")[:1]))
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    working = sum(by_kind.values())
    zero = EmploymentWarning.objects.filter(
        cleared_at__isnull=True, kind=WarningKind.ZERO_EMPLOYMENT, household__in=households
    ).count()

    # Income bands: under the first line, between lines, at or above the last, none recorded.
    lines = list(IncomeLine.objects.order_by("yuan").values_list("yuan", "name"))
    band = [When(income__isnull=True, then=Value(-1))]
    band += [When(income__lt=yuan, then=Value(i)) for i, (yuan, _name) in enumerate(lines)]
    rows = dict(
        households.annotate(income=latest_income())
        .annotate(band=Case(*band, default=Value(len(lines)), output_field=IntegerField()))
        .order_by()
        .values("band")
        .annotate(n=Count("pk"))
        .values_list("band", "n")
    )
    bands = []
    edges = [None, *(int(yuan) for yuan, _ in lines), None]
    for i in range(len(lines) + 1):
        bands.append({"from": edges[i], "to": edges[i + 1], "households": rows.get(i, 0)})
    bands.append({"from": None, "to": None, "households": rows.get(-1, 0), "unknown": True})
    return {
        "labour_force": force,
        "employed": working,
        "rate": _pct(working, force),
        "by_kind": {kind: by_kind.get(kind, 0) for kind in EMPLOYED},
        "zero_employment": zero,
        "income_bands": bands,
    }


def _points(unit: GridUnit, month: datetime.date, end: datetime.datetime):
    entries = PointEntry.objects.filter(_below(unit, "household__unit__path")).filter(
        at__gte=local_midnight(month), at__lt=end
    )
    totals = entries.aggregate(
        earned=Sum("points", filter=Q(kind=EntryKind.EARN)),
        redeemed=Sum("points", filter=Q(kind=EntryKind.REDEEM)),
        reversed=Sum("points", filter=Q(kind=EntryKind.REVERSAL)),
        earning=Count("household", distinct=True, filter=Q(kind=EntryKind.EARN)),
        redeeming=Count("household", distinct=True, filter=Q(kind=EntryKind.REDEEM)),
    )
    return {
        "earned": totals["earned"] or 0,
        "redeemed": -(totals["redeemed"] or 0),
        "reversed": totals["reversed"] or 0,
        "households_earning": totals["earning"],
        "households_redeeming": totals["redeeming"],
    }


def compute(unit: GridUnit, month: datetime.date) -> dict:
    """Every figure of the report of ``unit`` for ``month`` (its first day)."""
    month = month.replace(day=1)
    last = next_month(month) - datetime.timedelta(days=1)
    end = local_midnight(next_month(month))
    lineage = [u.name for u in unit.lineage()]
    return {
        "shape": SHAPE,
        "unit": {"code": unit.code, "name": unit.name, "level": unit.level.name, "lineage": lineage},
        "month": f"{month:%Y-%m}",
        "computed_at": timezone.now().isoformat(timespec="seconds"),
        "tiers": _tiers(unit, month, last, end),
        "visits": _visits(unit, month, last, end),
        "cases": _cases(unit, month, last, end),
        "employment": _employment(unit),
        "points": _points(unit, month, end),
    }
