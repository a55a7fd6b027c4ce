"""The grid (网格): one hierarchy of units of any depth, and who is responsible where.

Units are stored as a materialised path (django-treebeard's ``MP_Node``), so "every unit
under this one" is a single ``path LIKE 'prefix%'`` query on an index, at any depth.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from common.fields import MobileNumberField
from grids.roles import group_of_role
from grids.scope import ScopedQuerySet


class GridLevel(models.Model):
    """A level of the hierarchy, such as 街道, 社区, 片区, 楼栋 or 楼层.

    Places differ (three levels in 会泽, six in 东川), so levels are data. ``rank`` orders
    them from the top; a unit's children are always of a lower rank.
    """

    name = models.CharField(_("name"), max_length=32, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), unique=True, help_text=_("0 for the top level; larger numbers lie lower.")
    )
    is_building = models.BooleanField(
        _("is a building"),
        default=False,
        help_text=_("Households live in units of this level or in units below them."),
    )

    class Meta:
        ordering = ["rank"]
        verbose_name = _("grid level")
        verbose_name_plural = _("grid levels")

    def __str__(self):
        return self.name


class WayfindingSymbol(models.TextChoices):
    """The pictures on buildings, so that residents who cannot read find home."""

    APPLE = "apple", _("Apple")
    BANANA = "banana", _("Banana")
    PEAR = "pear", _("Pear")
    GRAPE = "grape", _("Grapes")
    PEACH = "peach", _("Peach")
    CHERRY = "cherry", _("Cherry")
    WATERMELON = "watermelon", _("Watermelon")
    DEER = "deer", _("Deer")
    RABBIT = "rabbit", _("Rabbit")
    PANDA = "panda", _("Panda")
    HORSE = "horse", _("Horse")
    FISH = "fish", _("Fish")
    BIRD = "bird", _("Bird")
    ELEPHANT = "elephant", _("Elephant")
    SUNFLOWER = "sunflower", _("Sunflower")
    TREE = "tree", _("Tree")
    STAR = "star", _("Star")
    MOON = "moon", _("Moon")


class GridUnitQuerySet(ScopedQuerySet, MP_NodeQuerySet):
    def in_units(self, unit_ids) -> Q:
        return Q(pk__in=unit_ids)


class GridUnitManager(MP_NodeManager.from_queryset(GridUnitQuerySet)):
    def get_queryset(self):
        # As treebeard's own manager: in tree order.
        return GridUnitQuerySet(self.model, using=self._db).order_by("path")


class GridUnit(MP_Node):
    level = models.ForeignKey(GridLevel, on_delete=models.PROTECT, verbose_name=_("level"))
    name = models.CharField(_("name"), max_length=64)
    code = models.CharField(_("code"), max_length=64, unique=True, help_text=_("Unique in the deployment."))
    symbol = models.CharField(
        _("wayfinding symbol"),
        max_length=16,
        choices=WayfindingSymbol.choices,
        blank=True,
        help_text=_("The picture painted on a building, for residents who cannot read."),
    )

    steplen = 4

    # Moved on every save (and by every queryset update of it): the change feed of the API
    # (common.sync) orders by it, then by id.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    objects = GridUnitManager()

    class Meta:
        verbose_name = _("grid unit")
        verbose_name_plural = _("grid units")
        permissions = [
            ("view_all_units", _("Can see every grid unit and household (administrator, leader)")),
        ]
        indexes = [
            models.Index(fields=["updated_at", "id"]),
            # The treebeard path index uses the database collation, with which PostgreSQL
            # cannot answer LIKE 'prefix%'; this one can.
            models.Index(fields=["path"], name="gridunit_path_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        # Names repeat (every community has a "1栋"); the code tells them apart in pickers.
        return f"{self.name} ({self.code})"

    def clean(self):
        parent = GridUnit.objects.get_parent(self) if self.path else None
        if parent and self.level_id and parent.level.rank >= self.level.rank:
            raise ValidationError(
                {
                    "level": _("A unit must lie lower than its parent (%(level)s).")
                    % {"level": parent.level.name}
                }
            )
        if self.symbol and self.level_id and not self.level.is_building:
            raise ValidationError({"symbol": _("Only buildings carry a wayfinding symbol.")})

    def subtree(self):
        """This unit and every unit below it: one prefix query on an index."""
        return GridUnit.objects.filter(path__startswith=self.path)

    def ancestor_paths(self) -> list[str]:
        """Paths of this unit and of every unit above it, top first."""
        return [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]

    def lineage(self):
        """This unit and its ancestors, top first, in one query."""
        return (
            GridUnit.objects.filter(path__in=self.ancestor_paths()).select_related("level").order_by("depth")
        )

    def building(self) -> "GridUnit | None":
        """The building this unit is or lies in, if any."""
        return next((u for u in reversed(self.lineage()) if u.level.is_building), None)


class Role(models.TextChoices):
    GRID_HEAD = "grid_head", _("Grid head")
    FULL_TIME_WORKER = "full_time_worker", _("Full-time grid worker")
    PART_TIME_WORKER = "part_time_worker", _("Part-time grid worker")
    BUILDING_HEAD = "building_head", _("Building head")
    FLOOR_HEAD = "floor_head", _("Floor head")
    TEN_HOUSEHOLD_HEAD = "ten_household_head", _("Ten-household head")
    COMMUNITY_STAFF = "community_staff", _("Community staff")


class AssignmentQuerySet(ScopedQuerySet):
    def current(self, on: datetime.date | None = None):
        """Assignments in force on a day (today in Asia/Shanghai by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)

    def responsible_for(self, unit: GridUnit, on: datetime.date | None = None):
        """Who was in charge of a unit on a day: assignments on it or on any unit above."""
        return self.current(on).filter(unit__path__in=unit.ancestor_paths())

    def people(self):
        """The users holding these assignments: whom a list can be filtered by or a case
        handed to."""
        return (
            get_user_model()
            .objects.filter(pk__in=self.values("user"))
            .order_by("last_name", "first_name", "username")
        )


class Assignment(models.Model):
    """A user in charge of a unit (and its subtree) in a role, for a period.

    Nothing is overwritten when people change: an assignment ends and another starts, so
    who was responsible for a household on any past day stays known. A worker standing in
    for a colleague on leave gets an assignment like any other, naming whom they cover.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        GridUnit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    covering_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="covered_by",
        verbose_name=_("standing in for"),
        help_text=_("For a temporary cover: the worker on leave."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["unit__path", "role", "starts_on"]
        indexes = [models.Index(fields=["user", "starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="assignment_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    def join_role_group(self) -> Group | None:
        """Put the user in the role's group (grids.roles.GROUP_OF_ROLE): an assignment made
        by an administrator is what gives someone a role, without a second step in the
        user's form. Ending one leaves the group alone: without an assignment in force the
        user's scope is empty, and a group may have been given by hand for other reasons.
        A group an administrator deleted is not made again."""
        group = Group.objects.filter(name=group_of_role(self.role)).first()
        if group is not None:
            self.user.groups.add(group)
        return group

    def clean(self):
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("An assignment cannot end before it starts.")})
        if self.covering_for_id and self.covering_for_id == self.user_id:
            raise ValidationError({"covering_for": _("A worker cannot stand in for themselves.")})


class Profile(models.Model):
    """What the grid needs to know of a user beyond Django's account: their mobile number,
    which they may log in with (a grid worker remembers it better than a username)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    mobile = MobileNumberField(_("mobile number"), unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)


def scope_roots(user, day: datetime.date | None = None) -> list[GridUnit]:
    """The units a user is in charge of, leaving out those inside another of them: where
    their wall opens, and the tops of the units an export offers them."""
    assigned = Assignment.objects.current(day).filter(user=user).values("unit")
    units = list(GridUnit.objects.filter(pk__in=assigned).select_related("level").order_by("path"))
    return [u for u in units if not any(o is not u and u.path.startswith(o.path) for o in units)]
