"""Tier-change proposals: a grid worker proposes, community staff decide."""

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.validators import REASON_MAX_LENGTH, RECORDED_REASON_MAX_LENGTH
from households.models import AboutHouseholdQuerySet


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class TierProposal(models.Model):
    """A proposal to move a household to another tier, and what became of it.

    Kept whatever the decision: an approved one points at the tier change it made, a
    rejected one carries the reason its proposer is shown.
    """

    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="tier_proposals",
        verbose_name=_("household"),
    )
    from_tier = models.ForeignKey(
        "monitoring.Tier", on_delete=models.PROTECT, related_name="+", verbose_name=_("from tier")
    )
    to_tier = models.ForeignKey(
        "monitoring.Tier", on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed tier")
    )
    reason = models.TextField(
        _("reason"),
        max_length=RECORDED_REASON_MAX_LENGTH,
        validators=[MaxLengthValidator(RECORDED_REASON_MAX_LENGTH)],
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tier_proposals",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    # Not checked by the database: visits are partitioned by month on PostgreSQL
    # (monitoring/migrations/0024), and a partitioned table cannot be referenced by id
    # alone. Visits are never deleted (PROTECT still refuses it in Django).
    visit = models.ForeignKey(
        "monitoring.Visit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tier_proposals",
        verbose_name=_("visit"),
        db_constraint=False,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(
        _("reason for the decision"),
        blank=True,
        max_length=REASON_MAX_LENGTH,
        validators=[MaxLengthValidator(REASON_MAX_LENGTH)],
    )
    tier_change = models.OneToOneField(
        "monitoring.TierChange",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal",
        verbose_name=_("tier change"),
    )
    # Set by the client (the form's hidden field, an offline phone's outbox): the same
    # proposal sent again finds this row instead of a second one. A key is its author's own.
    key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, editable=False)
    objects = AboutHouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("tier proposal")
        verbose_name_plural = _("tier proposals")
        permissions = [("decide_tierproposal", _("Can approve or reject tier proposals"))]
        constraints = [
            models.UniqueConstraint(fields=["proposed_by", "key"], name="one_proposal_per_author_and_key"),
            # Two workers proposing at once for one household: staff decide one question.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="pending"),
                name="one_pending_proposal_per_household",
                violation_error_message=_("A proposal for this household is already waiting for a decision."),
            ),
        ]

    def __str__(self):
        return f"{self.household} → {self.to_tier}"
