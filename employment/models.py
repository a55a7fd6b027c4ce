"""Employment and income (增收机制): what each member does for a living, over time; the
workshops and posts they work in; trainings and job offers; each household's income by
year; and the warnings the rules raise from these.

Nothing here is overwritten: a new labour status ends the current one, an income figure
entered again for a year is a new row, a warning that no longer holds is cleared with
the day it cleared.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.validators import REASON_MAX_LENGTH, validate_name, validate_not_future
from grids.scope import ScopedQuerySet
from households.models import AboutHouseholdQuerySet, AboutMemberQuerySet


class LabourStatus(models.TextChoices):
    MIGRANT = "migrant", _("Migrant work (外出务工)")
    WORKSHOP = "workshop", _("Workshop job (帮扶车间)")
    PUBLIC_WELFARE = "public_welfare", _("Public-welfare post (公益性岗位)")
    GIG = "gig", _("Gig or flexible work (零工)")
    OWN_BUSINESS = "own_business", _("Own business or cooperative (自主创业)")
    JOB_SEEKING = "job_seeking", _("Looking for work (求职)")
    STUDENT = "student", _("Student")
    RETIRED = "retired", _("Retired")
    DISABLED = "disabled", _("Unable to work (disability or illness)")
    CARER = "carer", _("Caring for family")


EMPLOYED = [
    LabourStatus.MIGRANT,
    LabourStatus.WORKSHOP,
    LabourStatus.PUBLIC_WELFARE,
    LabourStatus.GIG,
    LabourStatus.OWN_BUSINESS,
]
OUT_OF_LABOUR_FORCE = [LabourStatus.STUDENT, LabourStatus.RETIRED, LabourStatus.DISABLED, LabourStatus.CARER]


class Workplace(models.Model):
    """A registry entry with room for so many people: a workshop or a welfare post."""

    name = models.CharField(_("name"), max_length=64, validators=[validate_name])
    unit = models.ForeignKey(
        "grids.GridUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("grid unit"),
        help_text=_("The community or area it belongs to."),
    )
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    is_open = models.BooleanField(_("open"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def headcount(self) -> int:
        if hasattr(self, "working_here"):  # counted with the list (see with_headcount)
            return self.working_here
        return type(self).with_headcount(type(self).objects.filter(pk=self.pk)).get().working_here

    @classmethod
    def with_headcount(cls, queryset):
        # A member who moved out or died leaves their place, whatever their record says.
        working = Q(labour_records__ends_on__isnull=True, labour_records__member__status="active")
        return queryset.annotate(working_here=Count("labour_records", filter=working))


class Workshop(Workplace):
    """帮扶车间: a local workshop that employs residents (鲁甸: 23 workshops, 5,740 jobs)."""

    trade = models.CharField(_("trade"), max_length=64, blank=True, help_text=_("e.g. weaving, electronics"))

    class Meta(Workplace.Meta):
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")


class WelfarePost(Workplace):
    """公益性岗位: a public-welfare post (cleaner, security guard, building helper …)."""

    class Meta(Workplace.Meta):
        verbose_name = _("public-welfare post")
        verbose_name_plural = _("public-welfare posts")


class LabourRecord(models.Model):
    """One spell of a member's working life. The current one has no end; a new status
    ends it, so that the history is read straight from the rows."""

    member = models.ForeignKey(
        "households.Member", on_delete=models.PROTECT, related_name="labour_records", verbose_name=_("member")
    )
    status = models.CharField(_("labour status"), max_length=16, choices=LabourStatus.choices)
    province = models.CharField(_("province"), max_length=16, blank=True, validators=[validate_name])
    city = models.CharField(_("city"), max_length=16, blank=True, validators=[validate_name])
    workshop = models.ForeignKey(
        Workshop,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="labour_records",
        verbose_name=_("workshop"),
    )
    post = models.ForeignKey(
        WelfarePost,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="labour_records",
        verbose_name=_("public-welfare post"),
    )
    employer = models.CharField(_("employer"), max_length=64, blank=True, validators=[validate_name])
    monthly_income = models.DecimalField(
        _("monthly income (yuan)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    starts_on = models.DateField(_("since"), validators=[validate_not_future])
    ends_on = models.DateField(_("until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # Moved on every save (and by every queryset update of it): the change feed of the API
    # (common.sync) orders by it, then by id.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    objects = AboutMemberQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["updated_at", "id"])]
        ordering = ["member", "-starts_on", "-id"]
        verbose_name = _("labour record")
        verbose_name_plural = _("labour records")
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(ends_on__isnull=True), name="one_current_labour_record"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="labour_record_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_status_display()}"


class Training(models.Model):
    """技能培训: a course a member took (excavator, weaving, housekeeping, catering …)."""

    member = models.ForeignKey(
        "households.Member", on_delete=models.PROTECT, related_name="trainings", verbose_name=_("member")
    )
    course = models.CharField(_("course"), max_length=64)
    provider = models.CharField(_("provider"), max_length=64, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)
    certificate = models.BooleanField(_("certificate obtained"), default=False)
    objects = AboutMemberQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="training_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.course}"


class OfferOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class JobOffer(models.Model):
    """送岗上门: a job brought to a household's door."""

    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="job_offers",
        verbose_name=_("household"),
    )
    member = models.ForeignKey(
        "households.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="job_offers",
        verbose_name=_("member"),
    )
    employer = models.CharField(_("employer"), max_length=64, validators=[validate_name])
    position = models.CharField(_("position"), max_length=64)
    offered_on = models.DateField(
        _("offered on"), default=timezone.localdate, validators=[validate_not_future]
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("offered by")
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=OfferOutcome.choices, default=OfferOutcome.PENDING
    )
    objects = AboutHouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["-offered_on"]
        verbose_name = _("job offer")
        verbose_name_plural = _("job offers")

    def __str__(self):
        return f"{self.household} · {self.position}"


class IncomeSource(models.TextChoices):
    ENTERED = "entered", _("Entered")
    COMPUTED = "computed", _("Computed from the members' incomes")


class IncomeRecord(models.Model):
    """A household's annual per-capita net income (人均纯收入) for a year. Entered again,
    the figure is a new row; the latest row of a year is the one that counts."""

    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="income_records",
        verbose_name=_("household"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2010)])
    per_capita = models.DecimalField(
        _("per-capita net income (yuan)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    source = models.CharField(
        _("source"), max_length=16, choices=IncomeSource.choices, default=IncomeSource.ENTERED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # Moved on every save (and by every queryset update of it): the change feed of the API
    # (common.sync) orders by it, then by id.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    objects = AboutHouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["household", "-year", "-recorded_at", "-id"]
        get_latest_by = ["year", "recorded_at", "id"]
        verbose_name = _("income record")
        verbose_name_plural = _("income records")
        indexes = [
            models.Index(fields=["updated_at", "id"]),
            models.Index(fields=["household", "-year", "-recorded_at"]),
        ]

    def __str__(self):
        return f"{self.household} {self.year}: {self.per_capita}"


class IncomeLine(models.Model):
    """An income line households are counted against (东川 8,000 yuan, 彝良 10,000).
    The one marked as the warning line raises a warning for households under it."""

    name = models.CharField(_("name"), max_length=32)
    yuan = models.DecimalField(_("yuan per person and year"), max_digits=9, decimal_places=2, unique=True)
    warns = models.BooleanField(_("warning line"), default=False)

    class Meta:
        ordering = ["yuan"]
        verbose_name = _("income line")
        verbose_name_plural = _("income lines")
        constraints = [
            models.UniqueConstraint(fields=["warns"], condition=Q(warns=True), name="one_warning_line")
        ]

    def __str__(self):
        return self.name


class WarningKind(models.TextChoices):
    ZERO_EMPLOYMENT = "zero_employment", _("Zero-employment household (零就业)")
    LOW_INCOME = "low_income", _("Income under the line")
    JOB_ENDED = "job_ended", _("Job ended, nothing since")
    # Raised through the API by another system (a county's monitoring platform), which
    # names itself in ``source``; the rules neither raise nor clear these.
    REPORTED = "reported", _("Reported by another system")


class EmploymentWarning(models.Model):
    """A rule found something on a household. Raised by the rules and cleared by them
    when it no longer holds; kept either way."""

    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="warnings", verbose_name=_("household")
    )
    member = models.ForeignKey(
        "households.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="warnings",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=WarningKind.choices)
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    proposal = models.ForeignKey(
        "monitoring.TierProposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tier proposal"),
    )
    source = models.CharField(
        _("raised by"),
        max_length=64,
        blank=True,
        validators=[validate_name],
        help_text=_("The other system that raised it; empty for the rules'."),
    )
    note = models.TextField(
        _("what was found"),
        blank=True,
        max_length=REASON_MAX_LENGTH,
        validators=[MaxLengthValidator(REASON_MAX_LENGTH)],
    )
    # Moved on every save (and by every queryset update of it): the change feed of the API
    # (common.sync) orders by it, then by id.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    objects = AboutHouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at"]
        db_table = "employment_warning"  # its name before the model was renamed
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        constraints = [
            # Raised once while it holds, even when the nightly run and a save overlap.
            # Another system's warnings, once per system: each names itself.
            models.UniqueConstraint(
                fields=["household", "kind", "source"],
                condition=Q(cleared_at__isnull=True, member__isnull=True),
                name="one_open_household_warning",
                violation_error_message=_("This system has an open warning on this household already."),
            ),
            models.UniqueConstraint(
                fields=["member", "kind", "source"],
                condition=Q(cleared_at__isnull=True, member__isnull=False),
                name="one_open_member_warning",
                violation_error_message=_("This system has an open warning on this member already."),
            ),
        ]
        indexes = [
            models.Index(fields=["updated_at", "id"]),
            models.Index(fields=["kind"], condition=Q(cleared_at__isnull=True), name="warning_open_kind"),
        ]

    def __str__(self):
        return f"{self.household} · {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None
