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
