"""A user's scope: the units they may see, and so everything that lies in those units.

Every model that lies in the grid (a unit, an assignment, a household, anything about a
household) has a queryset with ``visible_to(user)``: the rows in the subtrees of the
units the user is currently assigned to, all of them for administrators and leaders,
none for anyone else. Pages, the API, the admin, exports and tasks ask for what a user
may see in that one word, and the admin's and the API's base classes ask for them, so
that a household outside a user's grid is simply not there (a 404, never a 403).

Scope is computed on the grid's own tables; this module knows nothing of households.
A model further from the grid says how it reaches its unit (``scope_path``), or, when it
hangs off a household, how it reaches the household (see ``households.models``).
"""

import datetime
import hashlib

from django.apps import apps
from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

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


def unit_ids_in_scope(user, on: datetime.date | None = None) -> RawSQL:
    """The ids of the units in a user's current subtrees, as a subquery (for a user who
    does not see every unit; ``ScopedQuerySet.visible_to`` decides who does)."""
    on = connection.ops.adapt_datefield_value(on or timezone.localdate())
    subtree = _SUBTREE_JOIN.get(connection.vendor, _SUBTREE_JOIN["default"])
    # By name rather than by import: the models import this module.
    units = apps.get_model("grids", "GridUnit")._meta.db_table
    assignments = apps.get_model("grids", "Assignment")._meta.db_table
    return RawSQL(
        f"SELECT u.id FROM {units} u JOIN {units} mine ON {subtree} "
        f"JOIN {assignments} a ON a.unit_id = mine.id "
        "WHERE a.user_id = %s AND a.starts_on <= %s AND (a.ends_on IS NULL OR a.ends_on >= %s)",
        [user.pk, on, on],
    )


def sees_every_unit(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("grids.view_all_units")


class ScopedQuerySet(models.QuerySet):
    """Rows that lie in the grid. ``scope_path`` leads from the model to its unit."""

    scope_path = "unit"

    def visible_to(self, user, on: datetime.date | None = None):
        """The rows a user may see (on a day: today by default), lazily, in one statement."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.has_perm("grids.view_all_units"):
            return self
        return self.filter(self.in_units(unit_ids_in_scope(user, on)))

    def in_units(self, unit_ids) -> Q:
        """The condition that keeps the rows lying in these units (a subquery of ids)."""
        return Q(**{f"{self.scope_path}__any_of": unit_ids})

    def once_visible_to(self, user):
        """The rows a user sees, and those they saw that have since left their scope, as
        far as the model's history tells (a household that moved to another street):
        the API's change feed tells a caller that these left, and of no others, so that
        a tombstone never names a row the caller could not have seen."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.has_perm("grids.view_all_units"):
            return self
        return self.filter(self.once_in_units(unit_ids_in_scope(user)))

    def once_in_units(self, unit_ids) -> Q:
        """The rows lying in these units now or, where the model keeps a history, before."""
        return self.in_units(unit_ids)


def scope_signature(user, on: datetime.date | None = None) -> str:
    """Where a user's scope is rooted today (the units they are assigned to, and where
    those lie in the tree), in a few characters: the API's change feed refuses a cursor
    given under other roots, since rows that came into the scope by a new assignment or a
    moved unit changed before the cursor and the feed would never send them. A unit
    added under a root changes nothing: what lies in it is new."""
    if sees_every_unit(user):
        return "all"
    on = on or timezone.localdate()
    assignments = apps.get_model("grids", "Assignment")._base_manager.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on), user=user, starts_on__lte=on
    )
    roots = sorted(set(assignments.values_list("unit_id", "unit__path")))
    return hashlib.sha256(repr(roots).encode()).hexdigest()[:16]
