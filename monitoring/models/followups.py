"""Follow-ups (one per household per period of its tier's cadence) and the visits that
satisfy them."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.validators import NOTE_MAX_LENGTH
from households.models import AboutHouseholdQuerySet
from monitoring.periods import local_midnight


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


# How long a missed follow-up stays on Today and marks its tile on the wall: a week,
# unless someone visits the household meanwhile.
MISSED_RECENT_DAYS = 7


class FollowUpQuerySet(AboutHouseholdQuerySet):
    def missed_lately(self, day: datetime.date):
        """Follow-ups missed in the week before ``day`` with no visit to the household
        since their period ended: the ones somebody still has to make good."""
        since = day - datetime.timedelta(days=MISSED_RECENT_DAYS)
        # Every visit that counts falls after ``since``: bounding them by time as well
        # lets the database read one week of visits, not every visit ever logged.
        week = local_midnight(since)
        visited_since = Visit.objects.filter(
            household=OuterRef("household"),
            visited_at__gte=week,
            visited_at__date__gt=OuterRef("period_end"),
        )
        return self.filter(status=FollowUpStatus.MISSED, due_on__gte=since).exclude(Exists(visited_since))


class FollowUp(models.Model):
    """A visit owed to a household for one period of its tier's cadence.

    Rows are created in bulk by ``monitoring.followups.generate_follow_ups``; the due
    date is stored on the row (the last day of the period) with a partial index on the
    open ones, so "who is overdue" is an index range scan, not a computation.
    """

    # Every index and every foreign-key check is paid on each of a county's 100,000
    # inserts a day, so there are no foreign-key indexes beyond the composite and
    # partial ones below, and no foreign keys checked by the database: a check on the
    # household locks its row (FOR KEY SHARE), rewriting every household's page once a
    # day, and measured a second per 100,000 rows here. The engine copies every
    # reference from rows it has just read, and none of them is ever deleted: Django's
    # PROTECT still refuses to delete a household, tier, user or visit that has
    # follow-ups.
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("household"),
        db_index=False,
        db_constraint=False,
    )
    tier = models.ForeignKey(
        "monitoring.Tier",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tier"),
        help_text=_("The household's tier when the follow-up was created."),
        db_index=False,
        db_constraint=False,
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("assignee"),
        db_index=False,
        db_constraint=False,
    )
    visit = models.ForeignKey(
        "monitoring.Visit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closing visit"),
        db_index=False,
        db_constraint=False,
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # Moved on every save (and by every queryset update of it): the change feed of the API
    # (common.sync) orders by it, then by id.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "household"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            # Generation runs as INSERT ... ON CONFLICT DO NOTHING: these constraints are
            # what makes two concurrent runs, or a run repeated, write nothing twice.
            # A cancelled follow-up stays as history; the period may get a new one.
            models.UniqueConstraint(
                fields=["household", "period_start", "period_end"],
                condition=~Q(status="cancelled"),
                name="one_follow_up_per_period",
            ),
            # On PostgreSQL follow-ups are partitioned by month of period_start
            # (migrations/0023), and a unique index there must hold period_start: this
            # one cannot (a household's open follow-ups may be of different months), so
            # it is the unique index of the same name on the side table
            # monitoring_followup_one_open_follow_up, kept by triggers in the same
            # transaction: the same IntegrityError, the same wait between two writers;
            # in the engine's ON CONFLICT DO NOTHING the row is skipped, as before.
            models.UniqueConstraint(
                fields=["household"], condition=Q(status="open"), name="one_open_follow_up"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="follow_up_period_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["updated_at", "id"]),
            # For marking the overdue ones missed. Lists by worker go through the scope
            # of their households, and need no index of their own.
            models.Index(fields=["due_on"], condition=Q(status="open"), name="follow_up_open_due"),
            # For the missed ones of the last week (Today, the wall's marks): a few rows
            # among millions, indexed only when a follow-up is missed.
            models.Index(fields=["due_on"], condition=Q(status="missed"), name="follow_up_missed_due"),
        ]

    def __str__(self):
        return f"{self.household_id} {self.period_start}–{self.period_end} {self.status}"


class VisitMode(models.TextChoices):
    DOOR = "door", _("Door-to-door")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")


class Need(models.TextChoices):
    """What a visit found the household needs: the checklist on the visit form."""

    EMPLOYMENT = "employment", _("Employment")
    MEDICAL = "medical", _("Medical care")
    SCHOOLING = "schooling", _("Schooling")
    SOCIAL_ASSISTANCE = "social_assistance", _("Social assistance")
    DISPUTE = "dispute", _("Dispute")
    SAFETY = "safety", _("Safety")
    OTHER = "other", _("Other")


def validate_needs(value):
    unknown = [code for code in value or [] if code not in Need.values]
    if not isinstance(value, list) or unknown:
        raise ValidationError(_("Unknown needs: %(codes)s") % {"codes": ", ".join(map(str, unknown))})


def visit_photo_path(instance, filename):
    # The name was chosen by households.photos.clean_photo; the folder keeps them apart.
    return f"visits/{filename}"


class Visit(models.Model):
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("household"),
    )
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("visited by"),
    )
    visited_at = models.DateTimeField(_("visited at"))
    mode = models.CharField(_("mode"), max_length=8, choices=VisitMode.choices, default=VisitMode.DOOR)
    notes = models.TextField(
        _("what was found"),
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
    )
    needs = models.JSONField(_("needs"), default=list, blank=True, validators=[validate_needs])
    photo = models.ImageField(_("photo"), upload_to=visit_photo_path, blank=True)
    # Set by the client (a form's hidden field, an offline phone): resending the same
    # visit finds this row instead of writing a second one. A key is its author's own.
    key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Moved on every save (and by every queryset update of it): the change feed of the API
    # (common.sync) orders by it, then by id.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    objects = AboutHouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_at"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            # On PostgreSQL (visits partitioned by month of visited_at, migrations/0024)
            # the unique index of a side table, kept by triggers in the same transaction:
            # a resend may carry another time, so it cannot hold the partition key.
            models.UniqueConstraint(fields=["visited_by", "key"], name="one_visit_per_author_and_key"),
        ]
        indexes = [
            models.Index(fields=["updated_at", "id"]),
            models.Index(fields=["household", "visited_at"]),
            # The visits since a date: the follow-up engine's "who was visited lately".
            models.Index(fields=["visited_at"], name="visit_visited_at"),
        ]

    def __str__(self):
        return f"{self.household_id} {self.visited_at:%Y-%m-%d %H:%M}"
