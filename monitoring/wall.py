"""The wall (大屏): every household of a scope as one coloured tile, its marks, and the
scope's figures.

The tiles travel as compact JSON that the page draws, rather than as HTML: 10,000 tiles
rendered by a template take about 200 ms and 530 KB; as JSON the whole answer takes about
100 ms and 50 KB compressed. Everything here runs a fixed number of queries, whatever the
number of households.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Assignment, GridLevel, GridUnit, WayfindingSymbol, scope_roots
from households.models import Household, HouseholdStatus, Member, MemberStatus
from monitoring.marks import WallMark, bits_of, register_mark, wall_marks
from monitoring.models import FollowUp, ProposalStatus, Tier, TierProposal, TierSnapshot, Visit, WallCount
from monitoring.periods import local_midnight

# Above this many households the wall asks to drill down first: no screen shows a
# county's 100,000 tiles, and no phone should be sent them.
TILE_LIMIT = 12_000
# Such a wall's figures come from the wall-count job (every few minutes) while its last
# run is this recent; older, the database counts them live.
WALL_COUNT_MAX_AGE = datetime.timedelta(minutes=getattr(settings, "WALL_COUNT_MAX_AGE_MINUTES", 15))
# One wall count at a time (PostgreSQL: a transaction-level advisory lock; SQLite writes
# one at a time anyway). Two runs at once, a backlog on the engine queue, would each
# delete the rows the other has not committed yet and then insert the same (unit, tier):
# the second ended in an IntegrityError. A run that finds the lock taken stops at once,
# the other's counts being as fresh as its own would be.
WALL_COUNT_LOCK = 0x68686C_77616C  # "hhl" "wal"

logger = logging.getLogger(__name__)


def _marked(day: datetime.date) -> dict[int, object]:
    """For each registered mark (``monitoring.marks``), by its bit, a subquery of the ids
    of the households that carry it."""
    return {mark.bit: mark.households(day) for mark in wall_marks()}


# Monitoring's own marks; the apps above contribute theirs from their wall.py.
register_mark(
    WallMark(
        key="missed",
        label=_("Missed follow-up"),
        bit=1,
        households=lambda day: FollowUp.objects.missed_lately(day).values("household_id"),
        figure="missed",
        figure_label=_("Households with a missed follow-up"),
        symbol="!",
        legend=_("missed follow-up"),
    )
)
register_mark(
    WallMark(
        key="proposal",
        label=_("Pending tier proposal"),
        bit=4,
        households=lambda day: TierProposal.objects.filter(status=ProposalStatus.PENDING).values(
            "household_id"
        ),
        figure="proposals",
        figure_label=_("Pending tier proposals"),
        symbol="?",
        legend=_("tier proposal"),
    )
)


@dataclass
class WallFilters:
    """What the wall shows: a unit's subtree (or the whole scope) and, optionally, only
    the households of one tier code, label, special group or mark."""

    unit: GridUnit | None = None
    tier: str = ""
    label: object = None
    group: object = None
    mark: str = ""

    @property
    def narrowed(self) -> bool:
        return bool(self.tier or self.label or self.group or self.mark)


@dataclass
class Wall:
    user: object
    filters: WallFilters = field(default_factory=WallFilters)
    day: datetime.date = field(default_factory=timezone.localdate)

    def households(self):
        """The active households of the scope and unit, before the narrowing filters."""
        households = Household.objects.visible_to(self.user).filter(status=HouseholdStatus.ACTIVE)
        if self.filters.unit is not None:
            households = households.filter(unit__path__startswith=self.filters.unit.path)
        return households

    def narrowing(self) -> Q:
        """The narrowing filters (tier, label, special group, mark) as one condition."""
        f, condition = self.filters, Q()
        if f.tier:
            condition &= Q(tier__code=f.tier)
        if f.label is not None:
            condition &= Q(pk__in=f.label.households.values("pk"))
        if f.group is not None:
            in_group = Member.objects.filter(status=MemberStatus.ACTIVE, special_groups=f.group)
            condition &= Q(pk__in=in_group.values("household_id"))
        if f.mark:
            marked, wanted = Q(), bits_of(f.mark)
            for bit, ids in _marked(self.day).items():
                if bit & wanted:
                    marked |= Q(pk__in=ids)
            condition &= marked
        return condition

    # -- where the wall stands --------------------------------------------------

    def breadcrumb(self) -> list[GridUnit]:
        """The current unit and the units above it that the user may open, top first."""
        if self.filters.unit is None:
            return []
        return list(
            GridUnit.objects.visible_to(self.user)
            .filter(path__in=self.filters.unit.ancestor_paths())
            .select_related("level")
            .order_by("depth")
        )

    def places(self) -> list[tuple[GridUnit, int]]:
        """Where to drill down: the units one level below, each with its households
        (those below the current unit; the top units for a whole deployment)."""
        unit = self.filters.unit
        if unit is None and not self.user.has_perm("grids.view_all_units"):
            # Several units side by side (a floor head's floors): they are the places.
            return [(root, None) for root in scope_roots(self.user, self.day)]
        length = (len(unit.path) if unit else 0) + GridUnit.steplen
        counts = dict(
            self.households()
            .annotate(child=Substr("unit__path", 1, length))
            .order_by()
            .values_list("child")
            .annotate(n=Count("pk"))
        )
        children = GridUnit.objects.visible_to(self.user).filter(path__in=counts).select_related("level")
        return [(child, counts[child.path]) for child in children.order_by("path")]

    # -- the JSON the page draws --------------------------------------------------

    def payload(self, tiers) -> dict:
        """Tiers, figures and tiles for the page to draw; ``too_many`` instead of the
        tiles when the scope is too large for one wall and no filter narrows it.

        The figures count what the filters keep (a wall narrowed to the red households
        counts red households), and say how many of the scope's households that is."""
        rows = None if self._too_many() else self._rows()
        counted_at = None
        if rows is not None:
            kept = [row for row in rows if row[_KEPT]] if self.filters.narrowed else rows
            whole, counts = _count(rows), _count(kept)
        else:
            counted = self._count_from_wall_counts()
            if counted is not None:
                whole, counts, counted_at = counted
            else:
                whole, counts = self._count_in_database()
            kept = self._rows(narrowed_only=True) if self.filters.narrowed else None
        # Only the schemes the kept households use: a community of three colours is not
        # shown the legend of a neighbour's four. When no household is kept, the
        # scope's schemes still name the tiers (an empty wall keeps its legend).
        used = {tier.scheme_id for tier in tiers if tier.pk in counts} or {
            tier.scheme_id for tier in tiers if tier.pk in whole
        }
        tiers = [tier for tier in tiers if tier.scheme_id in used]
        figures = _figures(tiers, counts)
        figures["narrowed"] = self.filters.narrowed
        figures["scope_households"] = sum(c[0] for c in whole.values())
        figures["scope_people"] = sum(c[1] for c in whole.values())
        if kept is None:
            answer = {"tiers": _tier_rows(tiers), "figures": figures, "too_many": figures["households"]}
            if counted_at is not None:
                answer["counted_at"] = timezone.localtime(counted_at).strftime("%H:%M")
            return answer
        drawn = _tiles(kept, tiers)
        return {"tiers": _tier_rows(tiers), "figures": figures, **drawn}

    def _rows(self, *, narrowed_only=False) -> list[tuple] | None:
        """One row per household in the order the tiles are drawn (building, floors from
        the top down, entrance, room: a building's front), with its people, its marks
        as bits, and whether the narrowing filters keep it; None for more than
        TILE_LIMIT."""
        columns = {
            "people": _people(),
            "week_visits": self._visits_this_week(),
            "marks": _marks_column(self.day),
            "kept": ExpressionWrapper(self.narrowing(), BooleanField())
            if self.filters.narrowed
            else Value(True),
        }
        households = self.households()
        if narrowed_only:
            households = households.filter(self.narrowing())
        rows = _fetch(
            households.annotate(**columns)
            .order_by("building__path", "-floor", "entrance", "room")
            .values_list(*_ROW, *columns)[: TILE_LIMIT + 1]
        )
        return rows if len(rows) <= TILE_LIMIT else None

    def _too_many(self) -> bool:
        """More households than one wall draws: counted up to the limit and no further,
        so that a province's wall does not fetch 12,000 rows to learn it is too large."""
        return self.households().order_by()[: TILE_LIMIT + 1].count() > TILE_LIMIT

    def _count_from_wall_counts(self):
        """``(whole, kept, counted_at)`` from the wall-count job's rows (``count_walls``),
        or None where they cannot answer: a narrowing other than the tier (labels, groups
        and marks are not counted ahead), a scope whose tops are buildings or below, a
        scope the last run counted nothing of, or counts older than ``WALL_COUNT_MAX_AGE``
        or of another day (the job has stopped: the database counts live, slower but
        right)."""
        f = self.filters
        if f.label is not None or f.group is not None or f.mark:
            return None
        if f.unit is not None:
            roots = [f.unit]
        elif self.user.has_perm("grids.view_all_units"):
            roots = list(GridUnit.objects.filter(depth=1).select_related("level"))
        else:
            roots = scope_roots(self.user, self.day)
        building_rank = _building_rank()
        if not roots or building_rank is None or any(root.level.rank >= building_rank for root in roots):
            return None
        fresh_after = timezone.now() - WALL_COUNT_MAX_AGE
        rows = list(
            WallCount.objects.filter(unit__in=roots, day=self.day, counted_at__gte=fresh_after).values_list(
                "unit_id",
                "tier_id",
                "tier__code",
                "households",
                "people",
                "visits_this_week",
                "marks",
                "counted_at",
            )
        )
        if not rows:
            # Nothing counted for this scope (its households came after the last run, or
            # it has none with a tier), though it has more than TILE_LIMIT: the run's
            # zeros would be wrong, and "counted at" now untrue. The database counts.
            return None
        # A top the run wrote no row of had no households then; if it has some now, the
        # sum would leave them out under a "counted at": the database counts instead.
        uncounted = [root for root in roots if root.pk not in {row[0] for row in rows}]
        if uncounted:
            under = Q()
            for root in uncounted:
                under |= Q(unit__path__startswith=root.path)
            if self.households().filter(under).exists():
                return None
        bits = [mark.bit for mark in wall_marks()]
        whole, kept, counted_at = {}, {}, None
        for _unit, tier_id, code, households, people, visits, marks, at in rows:
            c = whole.setdefault(tier_id, [0] * (3 + len(bits)))
            for i, value in enumerate([households, people, visits, *(marks.get(str(b), 0) for b in bits)]):
                c[i] += value
            counted_at = at if counted_at is None else min(counted_at, at)
            if not f.tier or code == f.tier:
                kept[tier_id] = c
        return whole, kept, counted_at

    def _count_in_database(self) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
        """The counts of ``_count`` for the whole scope and for what the narrowing
        filters keep, by the database, in one query: for a scope too large to fetch."""
        marks = _marked(self.day)
        narrowing = self.narrowing() if self.filters.narrowed else None

        def counted(prefix: str, condition: Q | None) -> dict:
            def only(q: Q | None) -> Q | None:
                return q if condition is None else (condition if q is None else condition & q)

            return {
                f"{prefix}n": Count("pk", filter=only(None)),
                f"{prefix}p": Sum("people", filter=only(None)),
                f"{prefix}v": Sum("week_visits", filter=only(None)),
                **{f"{prefix}m{bit}": Count("pk", filter=only(Q(pk__in=ids))) for bit, ids in marks.items()},
            }

        columns = counted("a", None)
        if narrowing is not None:
            columns |= counted("k", narrowing)
        rows = (
            self.households()
            .order_by()
            .annotate(people=_people(), week_visits=self._visits_this_week())
            .values("tier_id")
            .annotate(**columns)
            .values_list("tier_id", *columns)
        )
        width = 3 + len(marks)
        whole, kept = {}, {}
        for tier_id, *values in rows:
            values = [v or 0 for v in values]
            whole[tier_id] = values[:width]
            if narrowing is None:
                kept[tier_id] = values[:width]
            elif values[width]:
                kept[tier_id] = values[width:]
        return whole, kept

    def _visits_this_week(self):
        return _visits_this_week(self.day)

    # -- the trend ----------------------------------------------------------------

    def trend_unit(self) -> GridUnit | None:
        """The unit whose daily snapshots describe this wall: the unit itself, or the
        nearest unit above it that has snapshots (they stop above the buildings); for a
        whole scope, the deepest unit holding all of it. None for the whole deployment,
        and for a part of the grid that only a larger, out-of-scope unit has counts for
        (a floor head is not shown their area's figures)."""
        if self.filters.unit is not None:
            path = self.filters.unit.path
        elif self.user.has_perm("grids.view_all_units"):
            return None
        else:
            roots = Assignment.objects.current(self.day).filter(user=self.user)
            path = _common_path(list(roots.values_list("unit__path", flat=True)))
        building_rank = (
            GridLevel.objects.filter(is_building=True).order_by("rank").values_list("rank", flat=True).first()
        )
        ancestors = (
            GridUnit.objects.visible_to(self.user)
            .filter(path__in=GridUnit(path=path).ancestor_paths())
            .select_related("level")
            .order_by("-depth")
        )
        return next(
            (u for u in ancestors if building_rank is None or u.level.rank < building_rank),
            None,
        )

    def trend(self) -> dict:
        """Tier shares on each snapshot day, for a chart: {"unit", "days", "series"}."""
        unit = self.trend_unit()
        if unit is not None:
            snapshots = TierSnapshot.objects.filter(unit=unit)
        elif self.filters.unit is None and self.user.has_perm("grids.view_all_units"):
            snapshots = TierSnapshot.objects.filter(unit__depth=1)
        else:
            return {"unit": "", "days": [], "series": []}
        rows = snapshots.values("day", "tier_id").annotate(n=Sum("households")).order_by("day")
        days, counts = [], {}
        for row in rows:
            if not days or days[-1] != row["day"]:
                days.append(row["day"])
            counts[(row["day"], row["tier_id"])] = row["n"]
        totals = {day: sum(n for (d, _t), n in counts.items() if d == day) for day in days}
        tiers = Tier.objects.filter(pk__in={t for _d, t in counts}).select_related("scheme")
        tiers = sorted(tiers, key=lambda t: (t.scheme.code, t.severity))
        several = len({t.scheme_id for t in tiers}) > 1
        series = [
            {
                "name": f"{tier.name} ({tier.scheme.name})" if several else tier.name,
                "colour": tier.colour,
                "shares": [_share(counts.get((day, tier.pk), 0), totals[day]) for day in days],
            }
            for tier in tiers
        ]
        return {
            "unit": unit.name if unit is not None else "",
            "days": [day.isoformat() for day in days],
            "series": series,
        }


def default_unit(user, day: datetime.date | None = None) -> GridUnit | None:
    """Where a user's wall opens: the one unit they are in charge of (a community for
    its staff). None for several units side by side, and for administrators, who open
    on the whole deployment."""
    if user.has_perm("grids.view_all_units"):
        return None
    roots = scope_roots(user, day)
    return roots[0] if len(roots) == 1 else None


def _common_path(paths: list[str]) -> str:
    """The longest path every one of ``paths`` starts with, whole steps only."""
    if not paths:
        return ""
    common = min(paths, key=len)
    for path in paths:
        while not path.startswith(common):
            common = common[: -GridUnit.steplen]
    return common


# The columns of a row: the household's, then its people, its marks and "kept".
_ROW = (
    "pk",
    "building_id",
    "building__path",
    "building__name",
    "building__symbol",
    "entrance",
    "floor",
    "room",
    "tier_id",
)
_TIER, _PEOPLE, _VISITS, _MARKS, _KEPT = 8, 9, 10, 11, 12


def _fetch(queryset) -> list[tuple]:
    """The rows of a ``values_list()`` queryset straight off the cursor, in one fetch.

    Django passes every row of a computed column through a converter and reads rows a
    hundred at a time: for 10,000 tiles that was a third of the answer's time, and
    these columns (ids, counts, bits, text) need no converting.
    """
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _visits_this_week(day: datetime.date):
    """A household's visits since Monday, as a column: looked up per household on the
    (household, visited_at) index, so a community's wall does not read a county's week."""
    monday = day - datetime.timedelta(days=day.weekday())
    return _count_of(Visit.objects.filter(household=OuterRef("pk"), visited_at__gte=local_midnight(monday)))


def _marks_column(day: datetime.date):
    """A household's marks as one number, a bit per registered mark it carries."""
    marks = sum(
        (Case(When(pk__in=ids, then=Value(bit)), default=Value(0)) for bit, ids in _marked(day).items()),
        start=Value(0),
    )
    return ExpressionWrapper(marks, IntegerField())


def _building_rank() -> int | None:
    return GridLevel.objects.filter(is_building=True).aggregate(rank=Min("rank"))["rank"]


def count_walls(day: datetime.date | None = None) -> int:
    """The wall-count job: every unit above the buildings, per tier, its active
    households, their people, this week's visits and each mark's households; the rows
    of the run before are replaced in the same transaction (a wall reads one run or the
    other, never half). One statement: each household is counted for each unit above
    it, one indexed lookup per level, as the tier snapshots are (each household's counts
    materialized first: inlined, its subqueries ran once per level, 5.2 s at 100,000
    households, 1.3 s materialized). One run at a time (``WALL_COUNT_LOCK``): a run that
    starts while another counts returns 0 at once, having written nothing."""
    day = day or timezone.localdate()
    building_rank = _building_rank()
    if building_rank is None:
        return 0
    bits = [mark.bit for mark in wall_marks()]
    per_household = (
        Household.objects.filter(status=HouseholdStatus.ACTIVE)
        .order_by()
        .annotate(people=_people(), week_visits=_visits_this_week(day), marks=_marks_column(day))
        .values_list("unit_id", "tier_id", "people", "week_visits", "marks")
    )
    inner, params = per_household.query.sql_with_params()
    u, lv = GridUnit._meta.db_table, GridLevel._meta.db_table
    depth = GridUnit.objects.aggregate(depth=Max("depth"))["depth"] or 1
    depths = " UNION ALL ".join(f"SELECT {n} AS n" for n in range(1, depth + 1))
    marked = "".join(f", SUM(CASE WHEN (x.marks & {bit}) <> 0 THEN 1 ELSE 0 END)" for bit in bits)
    sql = f"""
        WITH x (unit_id, tier_id, people, week_visits, marks) AS MATERIALIZED ({inner})
        SELECT au.id, x.tier_id, COUNT(*), SUM(x.people), SUM(x.week_visits){marked}
        FROM x
        JOIN {u} hu ON hu.id = x.unit_id
        JOIN ({depths}) d ON d.n <= hu.depth
        JOIN {u} au ON au.path = SUBSTR(hu.path, 1, {GridUnit.steplen} * d.n)
        JOIN {lv} l ON l.id = au.level_id
        WHERE l.rank < %s AND x.tier_id IS NOT NULL
        GROUP BY au.id, x.tier_id
    """
    now = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [WALL_COUNT_LOCK])
                if not cursor.fetchone()[0]:
                    logger.info("Another wall count is running: this one stops, having counted nothing.")
                    return 0
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, building_rank])
            rows = cursor.fetchall()
        with connection.cursor() as cursor:
            # In SQL: a queryset's delete() reads every row first, for the delete signals.
            cursor.execute(f"DELETE FROM {WallCount._meta.db_table}")
        WallCount.objects.bulk_create(
            (
                WallCount(
                    unit_id=unit_id,
                    tier_id=tier_id,
                    households=households,
                    people=people or 0,
                    visits_this_week=visits or 0,
                    marks={str(bit): n for bit, n in zip(bits, marked_counts, strict=True) if n},
                    day=day,
                    counted_at=now,
                )
                for unit_id, tier_id, households, people, visits, *marked_counts in rows
            ),
            batch_size=2000,
        )
    return len(rows)


def _people():
    """A household's active members, as a column (COUNT(*): from the index alone)."""
    return _count_of(Member.objects.filter(household=OuterRef("pk"), status=MemberStatus.ACTIVE))


def _count_of(related):
    """How many rows of ``related`` (filtered on ``OuterRef("pk")``) a household has."""
    counted = related.order_by().values("household").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _count(rows) -> dict[int, list[int]]:
    """[households, people, visits this week, and one count per mark] by tier id."""
    bits = [mark.bit for mark in wall_marks()]
    counts = {}
    for row in rows:
        c = counts.get(row[_TIER])
        if c is None:
            c = counts[row[_TIER]] = [0] * (3 + len(bits))
        c[0] += 1
        c[1] += row[_PEOPLE]
        c[2] += row[_VISITS]
        marks = row[_MARKS]
        if marks:
            for i, bit in enumerate(bits, start=3):
                c[i] += marks & bit and 1
    return counts


def _figures(tiers, counts: dict[int, list[int]]) -> dict:
    """Households and people per tier with their shares, the households carrying each
    mark, and the visits since Monday."""
    marks = wall_marks()
    total = [sum(c[i] for c in counts.values()) for i in range(3 + len(marks))]
    per_tier = [
        {
            "tier": i,
            "households": counts[tier.pk][0],
            "people": counts[tier.pk][1],
            "household_share": _share(counts[tier.pk][0], total[0]),
            "people_share": _share(counts[tier.pk][1], total[1]),
        }
        for i, tier in enumerate(tiers)
        if tier.pk in counts
    ]
    return {
        "households": total[0],
        "people": total[1],
        "per_tier": per_tier,
        **{mark.figure: total[i] for i, mark in enumerate(marks, start=3)},
        "visits_this_week": total[2],
    }


def _tiles(rows, tiers) -> dict:
    """The rows as the page draws them: groups (the units above the buildings), the
    buildings, and one short list per household."""
    tier_index = {tier.pk: i for i, tier in enumerate(tiers)}
    # A household moved to another scheme's tier between the queries: its tier joins
    # the list rather than its tile being left out.
    for tier_id in {row[8] for row in rows} - tier_index.keys():
        tier_index[tier_id] = len(tiers)
        tiers.append(Tier.objects.select_related("scheme").get(pk=tier_id))
    symbols = dict(WayfindingSymbol.choices)
    buildings, building_index, parents, tiles = [], {}, {}, []
    for (
        pk,
        building_id,
        path,
        name,
        symbol,
        entrance,
        floor,
        room,
        tier_id,
        _people,
        _visits,
        marks,
        _kept,
    ) in rows:
        b = building_index.get(building_id)
        if b is None:
            b = building_index[building_id] = len(buildings)
            parent = path[: -GridUnit.steplen]
            group = parents.setdefault(parent, len(parents))
            buildings.append([building_id, name, str(symbols.get(symbol, "")), group])
        # Tuples, not lists: the garbage collector does not track tuples of plain values.
        tiles.append((pk, b, entrance, floor, room, tier_index[tier_id], marks))
    return {"groups": _group_labels(list(parents)), "buildings": buildings, "tiles": tiles}


def _tier_rows(tiers) -> list[dict]:
    several = len({t.scheme_id for t in tiers}) > 1
    return [
        {
            "id": t.pk,
            "code": t.code,
            "name": t.name,
            "scheme": t.scheme.name if several else "",
            "colour": t.colour,
            "text": t.text_colour,
            "severity": t.severity,
            # The first character (红, 橙, 黄, 绿) is drawn on tiles large enough for it,
            # so that colour is never the only signal.
            "letter": t.name[:1],
        }
        for t in tiers
    ]


def _group_labels(parent_paths: list[str]) -> list[str]:
    """Name the units directly above buildings ("东片区"), with the units between them and
    the part every one shares ("铜源社区 › 东片区" on a street's wall)."""
    if not parent_paths:
        return []
    common = _common_path(parent_paths)
    step = GridUnit.steplen
    # Below the shared part; a group that is the shared part is named by itself.
    ends = {path: range(len(common) + step, len(path) + 1, step) or [len(path)] for path in parent_paths}
    wanted = {path[:end] for path in parent_paths for end in ends[path]}
    names = dict(GridUnit.objects.filter(path__in=wanted).values_list("path", "name"))
    return [" › ".join(names.get(path[:end], "") for end in ends[path]) for path in parent_paths]


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0
