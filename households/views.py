from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from grids.models import Assignment
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
    assignments = (
        Assignment.objects.current().filter(user=request.user).select_related("unit__level", "covering_for")
    )
    return render(
        request,
        "households/home.html",
        {
            "assignments": assignments,
            "by_tier": by_tier,
            "total": total,
        },
    )
