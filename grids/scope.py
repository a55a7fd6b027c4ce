"""A user's scope: which units and households exist for them.

Every page, API endpoint and export filters through these two functions, so that a
household outside a user's grid is simply not there for them (a 404, never a 403).
"""

import datetime

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from grids.models import Assignment, GridUnit

# A subtree is one contiguous range of paths: from the unit's own path up to the path
# followed by a character above treebeard's alphabet (0-9, A-Z). Written as a range join
# rather than ``LIKE mine.path || '%'``, so that PostgreSQL walks the path index from each
# of the user's few assignments instead of testing every unit of a county against them.
# PostgreSQL compares with the pattern operators that ``gridunit_path_prefix`` serves;
# SQLite's default comparison is byte-wise already.
_SUBTREE_JOIN = {
    "postgresql": "u.path ~>=~ mine.path AND u.path ~<~ (mine.path || '~')",
    "default": "u.path >= mine.path AND u.path < (mine.path || '~')",
}


def _unit_ids_in_scope(user, on: datetime.date | None) -> RawSQL:
    on = connection.ops.adapt_datefield_value(on or timezone.localdate())
    subtree = _SUBTREE_JOIN.get(connection.vendor, _SUBTREE_JOIN["default"])
    units, assignments = GridUnit._meta.db_table, Assignment._meta.db_table
    return RawSQL(
        f"SELECT u.id FROM {units} u JOIN {units} mine ON {subtree} "
        f"JOIN {assignments} a ON a.unit_id = mine.id "
        "WHERE a.user_id = %s AND a.starts_on <= %s AND (a.ends_on IS NULL OR a.ends_on >= %s)",
        [user.pk, on, on],
    )


def units_in_scope(user, on: datetime.date | None = None):
    """Every unit a user may see: the union of the subtrees of their current units.

    Administrators and leaders with ``grids.view_all_units`` see every unit. The result
    is a lazy queryset, so it composes into a single SQL statement wherever it is used.
    """
    if not user.is_authenticated or not user.is_active:
        return GridUnit.objects.none()
    if user.has_perm("grids.view_all_units"):
        return GridUnit.objects.all()
    return GridUnit.objects.filter(pk__in=_unit_ids_in_scope(user, on))


def households_in_scope(user, queryset=None, on: datetime.date | None = None):
    """Filter a household queryset to a user's scope: the one gate for pages, API, exports."""
    if queryset is None:
        from households.models import Household

        queryset = Household.objects.all()
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.has_perm("grids.view_all_units"):
        return queryset
    return queryset.filter(unit__any_of=_unit_ids_in_scope(user, on))


def household_or_404(user, pk, queryset=None):
    """The household with this id if the user may see it; otherwise a 404, as if it did
    not exist (a 403 would confirm that it does)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(households_in_scope(user, queryset), pk=pk)


def people_in_scope(user, roles):
    """Users with a current assignment, in one of ``roles``, on a unit the user may see:
    whom a list can be filtered by or a case handed to."""
    from django.contrib.auth import get_user_model

    assigned = Assignment.objects.current().filter(unit__in=units_in_scope(user), role__in=roles)
    return (
        get_user_model()
        .objects.filter(pk__in=assigned.values("user"))
        .order_by("last_name", "first_name", "username")
    )


def scope_roots(user, day: datetime.date | None = None) -> list[GridUnit]:
    """The units a user is in charge of, leaving out those inside another of them: where
    their wall opens, and the tops of the units an export offers them."""
    assigned = Assignment.objects.current(day).filter(user=user).values("unit")
    units = list(GridUnit.objects.filter(pk__in=assigned).select_related("level").order_by("path"))
    return [u for u in units if not any(o is not u and u.path.startswith(o.path) for o in units)]
