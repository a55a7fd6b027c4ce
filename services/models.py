"""Cases (a problem reported for a household, owed an answer within working days, with
its timeline), door cards for residents' help requests, and volunteering points."""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.validators import NOTE_MAX_LENGTH
from grids.scope import ScopedQuerySet
from households.models import AboutHouseholdQuerySet, AboutMemberQuerySet


class CaseCategory(models.TextChoices):
    # Policy assistance (政策帮扶)
    DIBAO = "dibao", _("Minimum living allowance (低保)")
    EXTREME_POVERTY = "extreme_poverty", _("Support for the extremely poor (特困供养)")
    MEDICAL_INSURANCE = "medical_insurance", _("Medical or serious-illness insurance (医保/大病保险)")
    DISABILITY_SUBSIDY = "disability_subsidy", _("Disability subsidy (残疾人补贴)")
    EDUCATION_AID = "education_aid", _("Education aid (教育资助)")
    TEMPORARY_RELIEF = "temporary_relief", _("Temporary relief (临时救助)")
    # The seven aids (七助)
    AID_ELDERLY = "aid_elderly", _("Help for the elderly (助老)")
    AID_CHILDREN = "aid_children", _("Help for children (助幼)")
    AID_DISABLED = "aid_disabled", _("Help for the disabled (助残)")
    AID_ORPHANS = "aid_orphans", _("Help for orphans (助孤)")
    AID_SICK = "aid_sick", _("Help for the sick (助病)")
    AID_ALONE = "aid_alone", _("Help for those living alone (助独)")
    AID_SPECIAL = "aid_special", _("Help for special groups (助特)")
    DISPUTE = "dispute", _("Dispute (矛盾纠纷)")
    SAFETY = "safety", _("Safety hazard")
    HELP = "help", _("Help request (群众求助)")
    OTHER = "other", _("Other")


class CaseLevel(models.TextChoices):
    """Where a case is handled: "小事不出楼栋、一般事不出社区、大事不出街道"."""

    BUILDING = "building", _("Building (楼栋)")
    COMMUNITY = "community", _("Community (社区)")
    STREET = "street", _("Street (街道)")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


ACTIVE_STATUSES = [CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.REOPENED]
# Which status may follow which: resolved is checked by the household, closed by staff.
TRANSITIONS = {
    CaseStatus.OPEN: [CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED],
    CaseStatus.IN_PROGRESS: [CaseStatus.RESOLVED],
    CaseStatus.REOPENED: [CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED],
    CaseStatus.RESOLVED: [CaseStatus.CLOSED, CaseStatus.REOPENED],
    CaseStatus.CLOSED: [CaseStatus.REOPENED],
}


def overdue_on(day: datetime.date) -> Q:
    """The one rule for a late case: still open, and its deadline passed before ``day``."""
    return Q(status__in=ACTIVE_STATUSES, due_on__lt=day)


class ServiceCase(models.Model):
    """A problem reported for a household (a dispute, a hazard, a request for help).

    The response deadline is set when the case is opened, from the household's tier
    (red 3 working days, yellow 7), on the official calendar; ``due_provisional`` says
    it was counted on weekdays alone because nobody knows that year's holidays yet.
    """

    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="cases", verbose_name=_("household")
    )
    member = models.ForeignKey(
        "households.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("member"),
    )
    category = models.CharField(_("category"), max_length=24, choices=CaseCategory.choices)
    description = models.TextField(
        _("description"), max_length=NOTE_MAX_LENGTH, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)]
    )
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
        help_text=_("Empty when the family asked from its door card."),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    level = models.CharField(_("level"), max_length=16, choices=CaseLevel.choices, default=CaseLevel.BUILDING)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assigned to"),
    )
    due_on = models.DateField(_("respond by"))
    due_provisional = models.BooleanField(
        _("deadline provisional"),
        default=False,
        help_text=_(
            "Counted without that year's 调休, which the State Council has not published yet: "
            "counted again once it is known."
        ),
    )
    # What the deadline was counted from, so that a provisional one can be counted again
    # when its year's schedule becomes known (services.deadlines).
    due_counted_from = models.DateField(_("deadline counted from"), null=True, blank=True)
    due_working_days = models.PositiveSmallIntegerField(_("working days allowed"), null=True, blank=True)
    # Not checked by the database: visits are partitioned by month on PostgreSQL
    # (monitoring/migrations/0024), and a partitioned table cannot be referenced by id
    # alone. Visits are never deleted (PROTECT still refuses it in Django).
    visit = models.ForeignKey(
        "monitoring.Visit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("reported on visit"),
        db_constraint=False,
    )
    # Set by the client (the report form's hidden field, an offline phone's outbox): the
    # same report sent again finds this case instead of opening a second. Its author's own;
    # a door card's case has no author, and so no key another request could find.
    key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, editable=False)
    # Moved on every save (and by every queryset update of it): the change feed of the API
    # (common.sync) orders by it, then by id.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    objects = AboutHouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["updated_at", "id"]),
            models.Index(fields=["household", "status"]),
            models.Index(fields=["status", "due_on"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["opened_by", "key"], name="one_case_per_author_and_key"),
        ]
        # For another system's account (the residents' app): it sends help requests as the
        # door card's page does, by card or by household (POST /api/v1/help-requests/).
        permissions = [("request_help", _("Can send residents' help requests (a trusted system)"))]

    def __str__(self):
        return f"{self.get_category_display()} · {self.household}"

    @property
    def is_open(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def next_statuses(self) -> list[str]:
        return TRANSITIONS.get(self.status, [])


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    NOTE = "note", _("Note")
    ASSIGNED = "assigned", _("Assigned")
    STATUS = "status", _("Status changed")
    ESCALATED = "escalated", _("Escalated")
    DEADLINE = "deadline", _("Deadline counted again")


class CaseEventQuerySet(AboutHouseholdQuerySet):
    household_path = "case__household"


class CaseEvent(models.Model):
    """One step in a case's timeline: who did what, when. Appended, never edited."""

    case = models.ForeignKey(
        ServiceCase, on_delete=models.PROTECT, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    text = models.TextField(
        _("note"), blank=True, max_length=NOTE_MAX_LENGTH, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)]
    )
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=CaseLevel.choices, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty for the system (an escalation by the hourly job)."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self):
        return f"{self.case_id} {self.get_kind_display()}"


# -- door cards: residents ask for help without logging in ---------------------------


class DoorCard(models.Model):
    """The card on a household's door: its QR code opens a page where the family asks for
    help. The code holds a signed key; revoking the card (a lost or copied one) makes the
    page a 404, and a new card gets a new key."""

    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="door_cards",
        verbose_name=_("household"),
    )
    key = models.CharField(_("key"), max_length=32, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    objects = AboutHouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("door card")
        verbose_name_plural = _("door cards")
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=models.Q(revoked_at__isnull=True), name="one_live_door_card"
            ),
        ]

    def __str__(self):
        return f"{self.household} · {self.created_at:%Y-%m-%d}"


# -- volunteering and points (积分) ---------------------------------------------------


class VolunteerTeam(models.Model):
    name = models.CharField(_("name"), max_length=64)
    unit = models.ForeignKey(
        "grids.GridUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid unit")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")

    def __str__(self):
        return self.name


class Volunteer(models.Model):
    """A resident who volunteers, in a team."""

    team = models.ForeignKey(
        VolunteerTeam, on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("team")
    )
    member = models.ForeignKey(
        "households.Member", on_delete=models.PROTECT, related_name="volunteering", verbose_name=_("member")
    )
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    objects = AboutMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [models.UniqueConstraint(fields=["team", "member"], name="volunteer_once_per_team")]

    def __str__(self):
        return f"{self.member} · {self.team}"


class ActivityKind(models.TextChoices):
    VOLUNTEERING = "volunteering", _("Volunteering")
    CIVILITY = "civility", _("Civility (文明实践)")


class PointRule(models.Model):
    """The rule table: how many points an activity earns (per hour for volunteering)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("activity"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    points = models.PositiveIntegerField(_("points"), validators=[MinValueValidator(1)])
    per_hour = models.BooleanField(_("per hour"), default=False)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")

    def __str__(self):
        return self.name


class RewardItem(models.Model):
    """Goods at the 爱心超市 / 文明储蓄所, with their price in points and what is in stock."""

    name = models.CharField(_("name"), max_length=64)
    points = models.PositiveIntegerField(_("points"), validators=[MinValueValidator(1)])
    stock = models.IntegerField(_("in stock"), default=0)
    is_active = models.BooleanField(_("on offer"), default=True)

    class Meta:
        ordering = ["points", "name"]
        verbose_name = _("reward item")
        verbose_name_plural = _("reward items")
        constraints = [models.CheckConstraint(condition=models.Q(stock__gte=0), name="stock_not_negative")]

    def __str__(self):
        return f"{self.name} ({self.points})"


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    REVERSAL = "reversal", _("Reversal")


class PointEntry(models.Model):
    """One line of a household's points ledger. Never edited or deleted: a mistake is
    undone by a reversal that points at it. ``balance`` is the household's balance after
    this line, which the database keeps from going below zero."""

    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="point_entries",
        verbose_name=_("household"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    points = models.IntegerField(_("points"))
    balance = models.IntegerField(_("balance after"))
    reason = models.CharField(_("reason"), max_length=200)
    rule = models.ForeignKey(
        PointRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("rule")
    )
    item = models.ForeignKey(
        RewardItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("item")
    )
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    # Made when the counter asks "redeem this?" and sent back with the confirmation: a
    # double tap finds the first redemption instead of spending the points twice. A key
    # is its author's own.
    key = models.UUIDField(_("idempotency key"), null=True, blank=True, editable=False)
    # Moved on every save (and by every queryset update of it): the change feed of the API
    # (common.sync) orders by it, then by id.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    objects = AboutHouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["household", "-at", "-id"]
        verbose_name = _("point entry")
        verbose_name_plural = _("point entries")
        indexes = [models.Index(fields=["updated_at", "id"]), models.Index(fields=["household", "-id"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="points_balance_not_negative"),
            models.UniqueConstraint(
                fields=["by", "key"], condition=models.Q(key__isnull=False), name="point_entry_key_per_author"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="earn") | models.Q(points__gt=0), name="earning_adds_points"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="redeem") | models.Q(points__lt=0), name="redeeming_takes_points"
            ),
        ]

    def __str__(self):
        return f"{self.household} {self.points:+d} = {self.balance}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("A ledger entry is history and cannot be edited."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A ledger entry is history and cannot be deleted; reverse it."))


# A record is one day's volunteering (it has one date): more hours than the day has is a
# slip of the keyboard (9,999.9 hours once went in, and earned points for every one).
MAX_HOURS_PER_RECORD = Decimal("24")


class ServiceRecordQuerySet(AboutHouseholdQuerySet):
    household_path = "volunteer__member__household"


class ServiceRecord(models.Model):
    """Volunteering done: who, what, how long, and the points it earned the household."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="records", verbose_name=_("volunteer")
    )
    rule = models.ForeignKey(
        PointRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("activity")
    )
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_HOURS_PER_RECORD)],
    )
    on = models.DateField(_("on"))
    entry = models.OneToOneField(
        PointEntry, on_delete=models.PROTECT, related_name="service", verbose_name=_("points entry")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-on"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")

    def __str__(self):
        return f"{self.volunteer} · {self.rule} · {self.on}"
