"""The wall (大屏): every household of a scope as one coloured tile, its marks, and the
scope's figures.

The tiles travel as compact JSON that the page draws, rather than as HTML: 10,000 tiles
rendered by a template take about 200 ms and 530 KB, the same rows as JSON a few
milliseconds and 30 KB compressed. Everything here runs a fixed number of queries,
whatever the number of households.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Assignment, GridLevel, GridUnit, WayfindingSymbol
from grids.scope import households_in_scope, units_in_scope
from households.models import HouseholdStatus, Member, MemberStatus
from monitoring.models import FollowUp, ProposalStatus, Tier, TierProposal, TierSnapshot, Visit

# Above this many households the wall asks to drill down first: no screen shows a
# county's 100,000 tiles, and no phone should be sent them.
TILE_LIMIT = 12_000


class Mark:
    """Small marks on a tile, as bits of one number in the JSON."""

    MISSED = 1
    URGENT_CASE = 2
    PROPOSAL = 4

    CHOICES = [
        ("any", _("Any mark")),
        ("missed", _("Missed follow-up")),
        ("case", _("Open urgent case")),
        ("proposal", _("Pending tier proposal")),
    ]
    BITS = {
        "any": MISSED | URGENT_CASE | PROPOSAL,
        "missed": MISSED,
        "case": URGENT_CASE,
        "proposal": PROPOSAL,
    }


def _marked(day: datetime.date) -> dict[int, object]:
    """For each mark, a subquery of the ids of the households that carry it."""
    from services.models import CaseStatus, ServiceCase, Urgency

    return {
        Mark.MISSED: FollowUp.objects.missed_lately(day).values("household_id"),
        Mark.URGENT_CASE: ServiceCase.objects.filter(
            urgency=Urgency.URGENT, status__in=[CaseStatus.OPEN, CaseStatus.IN_PROGRESS]
        ).values("household_id"),
        Mark.PROPOSAL: TierProposal.objects.filter(status=ProposalStatus.PENDING).values("household_id"),
    }


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
        households = households_in_scope(self.user).filter(status=HouseholdStatus.ACTIVE)
        if self.filters.unit is not None:
            households = households.filter(unit__path__startswith=self.filters.unit.path)
        return households

    def narrowed(self, households):
        f = self.filters
        if f.tier:
            households = households.filter(tier__code=f.tier)
        if f.label is not None:
            households = households.filter(pk__in=f.label.households.values("pk"))
        if f.group is not None:
            households = households.filter(
                pk__in=Member.objects.filter(status=MemberStatus.ACTIVE, special_groups=f.group).values(
                    "household_id"
                )
            )
        if f.mark:
            wanted = Mark.BITS[f.mark]
            marked = Q()
            for bit, ids in _marked(self.day).items():
                if bit & wanted:
                    marked |= Q(pk__in=ids)
            households = households.filter(marked)
        return households

    # -- where the wall stands --------------------------------------------------

    def breadcrumb(self) -> list[GridUnit]:
        """The current unit and the units above it that the user may open, top first."""
        if self.filters.unit is None:
            return []
        return list(
            units_in_scope(self.user)
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
        children = units_in_scope(self.user).filter(path__in=counts).select_related("level")
        return [(child, counts[child.path]) for child in children.order_by("path")]

    # -- the JSON the page draws --------------------------------------------------

    def payload(self, tiers) -> dict:
        """Tiers, figures and tiles for the page to draw, or ``too_many`` instead of the
        tiles when the scope is too large for one wall."""
        figures = self.figures(tiers)
        # Only the schemes this wall's households use: a community of three colours is
        # not shown the legend of a neighbour's four.
        used = {tiers[row["tier"]].scheme_id for row in figures["per_tier"]}
        shown = [tier for tier in tiers if tier.scheme_id in used]
        index = {tiers.index(tier): i for i, tier in enumerate(shown)}
        for row in figures["per_tier"]:
            row["tier"] = index[row["tier"]]
        tiles = None
        if figures["households"] <= TILE_LIMIT or self.filters.narrowed:
            tiles = self.tiles(shown)
        answer = {"tiers": _tier_rows(shown), "figures": figures}
        if tiles is None:
            return {**answer, "too_many": figures["households"]}
        return {**answer, **tiles}

    def tiles(self, tiers):
        """Buildings, their groups and the tiles, in the order they are drawn: building,
        then floors from the top down, then entrance and room (a building's front)."""
        marks = _marked(self.day)
        flags = {f"m{bit}": ExpressionWrapper(Q(pk__in=ids), BooleanField()) for bit, ids in marks.items()}
        rows = list(
            self.narrowed(self.households())
            .annotate(**flags)
            .order_by("building__path", "-floor", "entrance", "room")
            .values_list(
                "pk",
                "building_id",
                "building__path",
                "building__name",
                "building__symbol",
                "entrance",
                "floor",
                "room",
                "tier_id",
                *flags,
            )[: TILE_LIMIT + 1]
        )
        if len(rows) > TILE_LIMIT:
            return None
        tier_index = {tier.pk: i for i, tier in enumerate(tiers)}
        # A household moved to another scheme's tier between this query and the
        # figures' one: its tier joins the list rather than the tile being left out.
        for tier_id in {row[8] for row in rows} - tier_index.keys():
            tier_index[tier_id] = len(tiers)
            tiers.append(Tier.objects.select_related("scheme").get(pk=tier_id))
        symbols = dict(WayfindingSymbol.choices)
        buildings, building_index, parents = [], {}, {}
        tiles = []
        for pk, building_id, path, name, symbol, entrance, floor, room, tier_id, *bits in rows:
            b = building_index.get(building_id)
            if b is None:
                b = building_index[building_id] = len(buildings)
                parent = path[: -GridUnit.steplen]
                parents.setdefault(parent, len(parents))
                buildings.append([building_id, name, str(symbols.get(symbol, "")), parents[parent]])
            mark = sum(bit for bit, on in zip(marks, bits) if on)
            tiles.append([pk, b, entrance, floor, room, tier_index[tier_id], mark])
        return {"groups": _group_labels(list(parents)), "buildings": buildings, "tiles": tiles}

    # -- the figures --------------------------------------------------------------

    def figures(self, tiers) -> dict:
        """Households and people per tier, with shares; the households with each mark;
        visits since Monday. One query."""
        marks = _marked(self.day)
        week_start = _local_midnight(self.day - datetime.timedelta(days=self.day.weekday()))
        people = (
            Member.objects.filter(household=OuterRef("pk"), status=MemberStatus.ACTIVE)
            .order_by()
            .values("household")
            .annotate(n=Count("pk"))
            .values("n")
        )
        visits = (
            Visit.objects.filter(household=OuterRef("pk"), visited_at__gte=week_start)
            .order_by()
            .values("household")
            .annotate(n=Count("pk"))
            .values("n")
        )
        rows = (
            self.households()
            .order_by()
            .annotate(
                people=Coalesce(Subquery(people, output_field=IntegerField()), Value(0)),
                week_visits=Coalesce(Subquery(visits, output_field=IntegerField()), Value(0)),
            )
            .values("tier_id")
            .annotate(
                n=Count("pk"),
                p=Sum("people"),
                v=Sum("week_visits"),
                **{f"m{bit}": Count("pk", filter=Q(pk__in=ids)) for bit, ids in marks.items()},
            )
        )
        by_tier = {row["tier_id"]: row for row in rows}
        households = sum(row["n"] for row in by_tier.values())
        people_total = sum(row["p"] or 0 for row in by_tier.values())
        per_tier = []
        for i, tier in enumerate(tiers):
            row = by_tier.get(tier.pk)
            if row is None:
                continue
            per_tier.append(
                {
                    "tier": i,
                    "households": row["n"],
                    "people": row["p"] or 0,
                    "household_share": _share(row["n"], households),
                    "people_share": _share(row["p"] or 0, people_total),
                }
            )
        return {
            "households": households,
            "people": people_total,
            "per_tier": per_tier,
            "missed": sum(row[f"m{Mark.MISSED}"] for row in by_tier.values()),
            "urgent_cases": sum(row[f"m{Mark.URGENT_CASE}"] for row in by_tier.values()),
            "proposals": sum(row[f"m{Mark.PROPOSAL}"] for row in by_tier.values()),
            "visits_this_week": sum(row["v"] or 0 for row in by_tier.values()),
        }

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
            units_in_scope(self.user)
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


def scope_roots(user, day: datetime.date | None = None) -> list[GridUnit]:
    """The units a user is in charge of, leaving out those inside another of them."""
    assigned = Assignment.objects.current(day).filter(user=user).values("unit")
    units = list(GridUnit.objects.filter(pk__in=assigned).select_related("level").order_by("path"))
    return [u for u in units if not any(o is not u and u.path.startswith(o.path) for o in units)]


def _common_path(paths: list[str]) -> str:
    """The longest path every one of ``paths`` starts with, whole steps only."""
    if not paths:
        return ""
    common = min(paths, key=len)
    for path in paths:
        while not path.startswith(common):
            common = common[: -GridUnit.steplen]
    return common


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


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())
