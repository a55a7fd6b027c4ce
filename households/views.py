from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from grids.models import Assignment, GridUnit
from grids.scope import households_in_scope
from households.models import HouseholdStatus


@login_required
def home(request):
    """Where a user lands: their grid, and how its households stand by tier."""
    households = households_in_scope(request.user).filter(status=HouseholdStatus.ACTIVE)
    by_tier = list(
        households.values("tier__name", "tier__colour", "tier__scheme__name", "tier__severity")
        .annotate(count=Count("id"))
        .order_by("tier__scheme__name", "tier__severity")
    )
    total = sum(row["count"] for row in by_tier)
    for row in by_tier:
        row["share"] = 100 * row["count"] / total if total else 0
    assignments = list(
        Assignment.objects.current().filter(user=request.user).select_related("unit__level", "covering_for")
    )
    # Each unit named with the units above it ("铜源社区 › 东片区 › 1栋 › 2层"), in one query.
    paths = {path for a in assignments for path in a.unit.ancestor_paths()}
    names = dict(GridUnit.objects.filter(path__in=paths).values_list("path", "name"))
    for a in assignments:
        a.place = " › ".join(names[path] for path in a.unit.ancestor_paths()[1:] or [a.unit.path])
    return render(
        request,
        "households/home.html",
        {
            "assignments": assignments,
            "by_tier": by_tier,
            "total": total,
        },
    )
