from django.db import models
from django.utils.translation import gettext_lazy as _


class TierSnapshot(models.Model):
    """How many active households a unit's subtree had in a tier on a day.

    One row per day, unit and tier, written by the daily job or backfilled from the
    tier history; trend charts read these rather than replaying the history.
    """

    day = models.DateField(_("day"))
    unit = models.ForeignKey(
        "grids.GridUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    tier = models.ForeignKey(
        "monitoring.Tier", on_delete=models.PROTECT, related_name="+", verbose_name=_("tier")
    )
    households = models.PositiveIntegerField(_("households"))

    class Meta:
        ordering = ["-day", "unit", "tier"]
        verbose_name = _("tier snapshot")
        verbose_name_plural = _("tier snapshots")
        constraints = [
            models.UniqueConstraint(fields=["day", "unit", "tier"], name="one_snapshot_per_day_unit_tier"),
        ]

    def __str__(self):
        return f"{self.day} {self.unit_id} {self.tier_id}: {self.households}"


class WallCount(models.Model):
    """The wall's figures for one unit above the buildings and one tier, as counted by the
    last run of the wall-count job: households, people, visits since Monday and each
    mark's households.

    A county's or a province's wall shows figures, not tiles, and counting them live
    reads every household's members and visits: about 1 s at 100,000 households and four
    times that at 400,000 (``make bench``), on every refresh of every leader's wall. These
    rows are a cache, replaced whole by each run, never history (the history is in the
    tier changes and visits they count); the wall says when they were counted.
    """

    unit = models.ForeignKey(
        "grids.GridUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    tier = models.ForeignKey(
        "monitoring.Tier", on_delete=models.CASCADE, related_name="+", verbose_name=_("tier")
    )
    households = models.PositiveIntegerField(_("households"))
    people = models.PositiveIntegerField(_("people"))
    visits_this_week = models.PositiveIntegerField(_("visits this week"))
    # {bit: households carrying that mark}: the marks are registered by the apps above.
    marks = models.JSONField(_("marked households"), default=dict)
    day = models.DateField(_("day"))
    counted_at = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("wall count")
        verbose_name_plural = _("wall counts")
        constraints = [models.UniqueConstraint(fields=["unit", "tier"], name="one_wall_count_per_unit_tier")]

    def __str__(self):
        return f"{self.unit_id} {self.tier_id}: {self.households}"
