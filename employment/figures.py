"""Employment figures per grid unit: labour force, employed by kind, the employment rate
(the reports: 92–96 %), zero-employment households, households under each income line.

Each figure is one grouped query over the unit's subtree, split by the units one level
below it, so a community's page costs the same few queries whatever its size.
"""

from dataclasses import dataclass, field

from django.db.models import Count, OuterRef
from django.db.models.functions import Substr

from employment.models import EMPLOYED, EmploymentWarning, IncomeLine, LabourRecord, LabourStatus, WarningKind
from employment.rules import employed, labour_force, latest_income
from grids.models import GridUnit
from households.models import Household, HouseholdStatus, Member


@dataclass
class Figures:
    unit: GridUnit | None
    labour_force: int = 0
    employed: int = 0
    by_kind: dict = field(default_factory=dict)
    zero_employment: int = 0
    under_line: dict = field(default_factory=dict)
    under_counts: list = field(default_factory=list)  # in the order of the lines
    households: int = 0

    @property
    def rate(self) -> float | None:
        return round(100 * self.employed / self.labour_force, 1) if self.labour_force else None

    @property
    def kinds(self) -> list[tuple[str, int]]:
        return [(LabourStatus(kind).label, self.by_kind.get(kind, 0)) for kind in EMPLOYED]


def unit_figures(user, unit: GridUnit | None) -> tuple[Figures, list[Figures], list[IncomeLine]]:
    """The figures of ``unit`` (the user's whole scope for None) and of each unit below it."""
    households = Household.objects.visible_to(user).filter(status=HouseholdStatus.ACTIVE)
    if unit is not None:
        households = households.filter(unit__path__startswith=unit.path)
    length = (len(unit.path) if unit else 0) + GridUnit.steplen
    members = Member.objects.filter(household__in=households)
    lines = list(IncomeLine.objects.all())

    def grouped(queryset, *extra, path="household__unit__path"):
        """Counts by the unit one level below (the first characters of the path)."""
        rows = queryset.annotate(child=Substr(path, 1, length)).order_by().values("child", *extra)
        return list(rows.annotate(n=Count("pk")))

    current = LabourRecord.objects.filter(member=OuterRef("pk"), ends_on__isnull=True)
    # Employed members of the labour force: the rate cannot pass 100 %.
    by_status = grouped(employed(labour_force(members)).annotate(kind=current.values("status")[:1]), "kind")
    force = grouped(labour_force(members))
    zero = grouped(
        EmploymentWarning.objects.filter(
            cleared_at__isnull=True, kind=WarningKind.ZERO_EMPLOYMENT, household__in=households
        )
    )
    income = households.annotate(income=latest_income(), child=Substr("unit__path", 1, length))
    counted = grouped(households, path="unit__path")

    children = {
        u.path: Figures(u)
        for u in GridUnit.objects.visible_to(user).filter(path__in={row["child"] for row in counted})
    }
    total = Figures(unit)
    for row in counted:
        children.setdefault(row["child"], Figures(None)).households = row["n"]
        total.households += row["n"]
    for row in force:
        children.setdefault(row["child"], Figures(None)).labour_force += row["n"]
        total.labour_force += row["n"]
    for row in by_status:
        for figures in (children.setdefault(row["child"], Figures(None)), total):
            figures.employed += row["n"]
            figures.by_kind[row["kind"]] = figures.by_kind.get(row["kind"], 0) + row["n"]
    for row in zero:
        children.setdefault(row["child"], Figures(None)).zero_employment += row["n"]
        total.zero_employment += row["n"]
    for line in lines:
        for row in income.filter(income__lt=line.yuan).order_by().values("child").annotate(n=Count("pk")):
            children.setdefault(row["child"], Figures(None)).under_line[line.pk] = row["n"]
            total.under_line[line.pk] = total.under_line.get(line.pk, 0) + row["n"]
    rows = [children[path] for path in sorted(children) if children[path].unit is not None]
    for figures in (total, *rows):
        figures.under_counts = [figures.under_line.get(line.pk, 0) for line in lines]
    return total, rows, lines
