"""A user's scope: which units and households exist for them.

Every page, API endpoint and export filters through these two functions, so that a
household outside a user's grid is simply not there for them (a 404, never a 403).
"""

import datetime

from django.db.models import Exists, OuterRef

from grids.models import Assignment, GridUnit


def units_in_scope(user, on: datetime.date | None = None):
    """Every unit a user may see: the union of the subtrees of their current units.

    Administrators and leaders with ``grids.view_all_units`` see every unit. The result
    is a lazy queryset, so it composes into a single SQL statement wherever it is used.
    """
    if not user.is_authenticated or not user.is_active:
        return GridUnit.objects.none()
    if user.has_perm("grids.view_all_units"):
        return GridUnit.objects.all()
    mine = Assignment.objects.current(on).filter(user=user).covering(OuterRef("path"))
    return GridUnit.objects.filter(Exists(mine))


def households_in_scope(user, queryset=None, on: datetime.date | None = None):
    """Filter a household queryset to a user's scope: the one gate for pages, API, exports."""
    if queryset is None:
        from households.models import Household

        queryset = Household.objects.all()
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.has_perm("grids.view_all_units"):
        return queryset
    return queryset.filter(unit__in=units_in_scope(user, on))
