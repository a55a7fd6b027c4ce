"""The monthly review (月研判): a unit's meeting for a month, and what it decided for each
household on its agenda.

A review is held once per unit and month; its decisions are appended, never edited: a
correction is a new decision naming the one it corrects, and the latest decision of a
household in a review is the one that counts. What each decision did elsewhere (the tier
change, the case, the proposal it decided) is written through those apps' own services
and pointed at from here.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.validators import NOTE_MAX_LENGTH, RECORDED_REASON_MAX_LENGTH
from grids.scope import ScopedQuerySet
from households.models import AboutHouseholdQuerySet

MINUTES_MAX_LENGTH = 10 * NOTE_MAX_LENGTH


class Review(models.Model):
    """One meeting of a unit (a community, usually) about one month: who came, the minutes."""

    unit = models.ForeignKey(
        "grids.GridUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reviewed."))
    held_on = models.DateField(_("held on"), default=timezone.localdate)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("attendees")
    )
    other_attendees = models.TextField(
        _("other attendees"),
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
        help_text=_("People without an account, one per line (a resident representative, a cadre)."),
    )
    minutes = models.TextField(
        _("minutes"),
        blank=True,
        max_length=MINUTES_MAX_LENGTH,
        validators=[MaxLengthValidator(MINUTES_MAX_LENGTH)],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "unit__path"]
        verbose_name = _("monthly review")
        verbose_name_plural = _("monthly reviews")
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="one_review_per_unit_and_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="review_month_is_first_day"),
        ]

    def __str__(self):
        return f"{self.unit.name} {self.month:%Y-%m}"

    @property
    def month_label(self) -> str:
        return f"{self.month:%Y-%m}"


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


class DecisionKind(models.TextChoices):
    KEEP = "keep", _("Keep the tier")
    CHANGE_TIER = "change_tier", _("Change the tier")
    OPEN_CASE = "open_case", _("Open a case")
    MEASURE = "measure", _("Assign a measure and a person")
    DEFER = "defer", _("Defer to next month")


class DecisionQuerySet(AboutHouseholdQuerySet):
    def latest_per_household(self) -> dict:
        """{household id: its latest decision} among these rows (corrections supersede)."""
        latest = {}
        for decision in self.order_by("decided_at", "id"):
            latest[decision.household_id] = decision
        return latest


class Decision(models.Model):
    """What a review decided for one household. Appended, never edited."""

    review = models.ForeignKey(
        Review, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("review")
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    kind = models.CharField(_("decision"), max_length=16, choices=DecisionKind.choices)
    facts = models.CharField(
        _("on the agenda because"), max_length=500, blank=True, help_text=_("The agenda's line, as it stood.")
    )
    reason = models.TextField(
        _("reason"),
        blank=True,
        max_length=RECORDED_REASON_MAX_LENGTH,
        validators=[MaxLengthValidator(RECORDED_REASON_MAX_LENGTH)],
    )
    tier = models.ForeignKey(
        "monitoring.Tier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tier"),
    )
    measure = models.CharField(_("measure"), max_length=200, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_measures",
        verbose_name=_("person responsible"),
    )
    tier_change = models.ForeignKey(
        "monitoring.TierChange",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tier change"),
    )
    proposal = models.ForeignKey(
        "monitoring.TierProposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tier proposal decided"),
    )
    case = models.ForeignKey(
        "services.ServiceCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("corrects"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["review", "decided_at", "id"]
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        indexes = [models.Index(fields=["household", "-decided_at"])]

    def __str__(self):
        return f"{self.household_id}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        # A guard, not a rule: a decision is history; a correction is a new one.
        if not self._state.adding:
            raise ValidationError(_("A review decision is history and cannot be edited."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A review decision is history and cannot be deleted."))
