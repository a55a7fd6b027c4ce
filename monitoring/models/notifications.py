from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from monitoring import notices
from monitoring.notices import NotificationKind

__all__ = ["Notification", "NotificationKind"]


class NotificationQuerySet(models.QuerySet):
    def about(self, target):
        """Notifications about ``target``: a row, or a model (any row of it)."""
        from django.contrib.contenttypes.models import ContentType

        about = self.filter(content_type=ContentType.objects.get_for_model(target))
        return about if isinstance(target, type) else about.filter(object_id=target.pk)


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
    kind = models.CharField(_("kind"), max_length=24, choices=notices.kind_choices)
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
        db_index=False,
        db_constraint=False,
        # None: about no one household (a morning digest, which is ``about``).
        null=True,
        blank=True,
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
    # What it is about, when that is not a follow-up or a proposal (a case): any row,
    # by content type and id, as the admin's LogEntry refers to what was changed.
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("content type"),
        null=True,
        blank=True,
    )
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Handed to messaging, for the channel the recipient chose for its kind (the name is
    # from when e-mail was the only one).
    emailed_at = models.DateTimeField(_("handed to its channel at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # A job run twice tells nobody twice. On PostgreSQL (notifications partitioned
            # by month of created_at, migrations/0025) both are unique indexes of side
            # tables kept by triggers in the same transaction: neither can hold the month.
            models.UniqueConstraint(fields=["recipient", "follow_up", "kind"], name="notify_once"),
            models.UniqueConstraint(
                fields=["recipient", "content_type", "object_id", "kind"],
                condition=Q(object_id__isnull=False),
                name="notify_once_per_object",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return f"{self.recipient} · {self.get_kind_display()} · {self.household_id}"

    def notice(self):
        """What it says (``monitoring.notices``): the e-mail, and the inbox's line."""
        return notices.render(self)
