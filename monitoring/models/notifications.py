from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    MISSED = "missed", _("Missed follow-up")
    ESCALATED = "escalated", _("Missed again: escalated")
    PROPOSAL_APPROVED = "proposal_approved", _("Tier proposal approved")
    PROPOSAL_REJECTED = "proposal_rejected", _("Tier proposal rejected")
    CASE_OVERDUE = "case_overdue", _("Case past its deadline")
    CASE_ESCALATED = "case_escalated", _("Case escalated to your level")
    HELP_REQUEST = "help_request", _("Help requested from a door card")


class Notification(models.Model):
    """A message for one user's in-app inbox (and e-mail, when they have an address)."""

    # Written in bulk by the engine, up to a county's households in one run: the
    # recipient's index is the unique one below, and household and follow-up are copied
    # from rows that exist and are never deleted, so the database does not re-check them.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
        db_index=False,
        db_constraint=False,
    )
    follow_up = models.ForeignKey(
        "monitoring.FollowUp",
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("follow-up"),
        null=True,
        blank=True,
        db_constraint=False,
    )
    proposal = models.ForeignKey(
        "monitoring.TierProposal",
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("tier proposal"),
        null=True,
        blank=True,
    )
    case = models.ForeignKey(
        "services.ServiceCase",
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("case"),
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # A job run twice tells nobody twice.
            models.UniqueConstraint(fields=["recipient", "follow_up", "kind"], name="notify_once"),
            models.UniqueConstraint(
                fields=["recipient", "case", "kind"],
                condition=Q(case__isnull=False),
                name="notify_once_per_case",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return f"{self.recipient} · {self.get_kind_display()} · {self.household_id}"
