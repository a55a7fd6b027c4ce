"""Risk tiers (红黄绿 and its variants) and the append-only record of tier changes."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.validators import NOTE_MAX_LENGTH, RECORDED_REASON_MAX_LENGTH
from households.models import AboutHouseholdQuerySet


class Cadence(models.TextChoices):
    """How often a household of a tier must be visited: 日随访, 周跟踪, 月监测 …"""

    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class TierSchemeQuerySet(models.QuerySet):
    def get_default(self):
        return self.get(is_default=True)

    def in_force_for(self, unit) -> "TierScheme":
        """The scheme set on ``unit`` or on the nearest unit above it, else the default:
        one query on the units' paths."""
        nearest = (
            self.filter(set_on__unit__path__in=unit.ancestor_paths()).order_by("-set_on__unit__depth").first()
        )
        return nearest or self.get_default()


class TierScheme(models.Model):
    """A set of tiers a community uses: 三色 红黄绿 or 四色 红橙黄绿, or one an admin defines."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
    )
    is_default = models.BooleanField(
        _("default scheme"),
        default=False,
        help_text=_("Used where no unit above a household names a scheme."),
    )

    objects = TierSchemeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("tier scheme")
        verbose_name_plural = _("tier schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_tier_scheme"
            )
        ]

    def __str__(self):
        return self.name


class UnitTierScheme(models.Model):
    """The scheme a grid unit (a community, usually) has chosen; the units below it inherit
    it, down to a unit that chooses one of its own.

    Kept here rather than on the unit: the grid is the ground floor and knows nothing of
    tiers. Changed only through ``monitoring.services.switch_tier_scheme``, which moves the
    households below to the new scheme's tiers.
    """

    unit = models.OneToOneField(
        "grids.GridUnit",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="own_tier_scheme",
        verbose_name=_("unit"),
    )
    scheme = models.ForeignKey(
        TierScheme, on_delete=models.PROTECT, related_name="set_on", verbose_name=_("tier scheme")
    )

    class Meta:
        verbose_name = _("tier scheme of a unit")
        verbose_name_plural = _("tier schemes of units")

    def __str__(self):
        return f"{self.unit} · {self.scheme}"


class Tier(models.Model):
    scheme = models.ForeignKey(
        TierScheme, on_delete=models.PROTECT, related_name="tiers", verbose_name=_("scheme")
    )
    code = models.SlugField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=32)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))],
    )
    severity = models.PositiveSmallIntegerField(
        _("severity"), help_text=_("1 is the most urgent tier of its scheme.")
    )
    cadence = models.CharField(_("visit cadence"), max_length=16, choices=Cadence.choices)
    response_working_days = models.PositiveSmallIntegerField(
        _("response deadline (working days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1, _("A deadline is at least one working day."))],
        help_text=_("How many working days help may take; empty where none is set."),
    )

    class Meta:
        ordering = ["scheme", "severity"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="tier_code_unique_in_scheme"),
            models.UniqueConstraint(fields=["scheme", "severity"], name="tier_severity_unique_in_scheme"),
        ]

    def __str__(self):
        return self.name

    @property
    def text_colour(self) -> str:
        """Black or white, whichever contrasts more with the tier's colour (WCAG's
        relative luminance): black on yellow and orange, white on red and green."""

        def channel(hex_pair: str) -> float:
            c = int(hex_pair, 16) / 255
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(self.colour[i : i + 2]) for i in (1, 3, 5))
        luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
        # Contrast with black is (L + 0.05) / 0.05, with white 1.05 / (L + 0.05).
        return "#000000" if (luminance + 0.05) ** 2 > 0.05 * 1.05 else "#ffffff"


class TierChange(models.Model):
    """One change of a household's tier. Appended, never edited or deleted.

    The household's current tier is a copy of the latest row, written in the same
    transaction by ``monitoring.services.change_tier``; trends, audits and (later)
    rescheduling all read these rows.
    """

    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="tier_changes",
        verbose_name=_("household"),
    )
    from_tier = models.ForeignKey(
        Tier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from tier"),
    )
    to_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+", verbose_name=_("to tier"))
    reason = models.TextField(
        _("reason"),
        max_length=RECORDED_REASON_MAX_LENGTH,
        validators=[MaxLengthValidator(RECORDED_REASON_MAX_LENGTH)],
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)
    # Moved on every save (and by every queryset update of it): the change feed of the API
    # (common.sync) orders by it, then by id.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    objects = AboutHouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        get_latest_by = ["changed_at", "id"]
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        indexes = [
            models.Index(fields=["updated_at", "id"]),
            models.Index(fields=["household", "-changed_at"]),
        ]

    def __str__(self):
        before = self.from_tier.name if self.from_tier_id else "—"
        return f"{self.household_id}: {before} → {self.to_tier.name}"

    def save(self, *args, **kwargs):
        # A guard, not a rule: history is appended only, whoever calls save().
        if not self._state.adding:
            raise ValidationError(_("A tier change is history and cannot be edited."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A tier change is history and cannot be deleted."))
