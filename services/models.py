"""Cases: a problem reported for a household, owed an answer within working days."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CaseCategory(models.TextChoices):
    DISPUTE = "dispute", _("Dispute (矛盾纠纷)")
    SAFETY = "safety", _("Safety hazard")
    HELP = "help", _("Help request")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class ServiceCase(models.Model):
    """A problem reported for a household (a dispute, a hazard, a request for help).

    The response deadline is set when the case is opened, from the household's tier
    (red 3 working days, yellow 7), on the official calendar; ``due_provisional`` says
    it was counted on weekdays alone because nobody knows that year's holidays yet.
    """

    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="cases", verbose_name=_("household")
    )
    category = models.CharField(_("category"), max_length=24, choices=CaseCategory.choices)
    description = models.TextField(_("description"))
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    due_on = models.DateField(_("respond by"))
    due_provisional = models.BooleanField(
        _("deadline provisional"),
        default=False,
        help_text=_("Counted on weekdays alone: the official holidays of that year are not known yet."),
    )
    visit = models.ForeignKey(
        "monitoring.Visit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("reported on visit"),
    )

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["household", "status"]), models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.get_category_display()} · {self.household}"

    @property
    def is_open(self) -> bool:
        return self.status in (CaseStatus.OPEN, CaseStatus.IN_PROGRESS)
