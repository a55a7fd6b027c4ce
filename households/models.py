"""Households (户) and their members (人): the unit of care and the point it lands on."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from common import crypto
from common.fields import BlindIndexField, EncryptedResidentIdField, MobileNumberField
from common.validators import (
    normalize_resident_id,
    resident_id_birth_date,
    resident_id_is_male,
    validate_birth_date,
    validate_name,
    validate_not_future,
    validate_relocation_date,
    validate_resident_id,
)
from grids.scope import ScopedQuerySet
from households.ethnicity import Ethnicity


class LabelCategory(models.Model):
    """Top of the label taxonomy (东川: 7 categories, 13 subcategories, 137 labels)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("label category")
        verbose_name_plural = _("label categories")

    def __str__(self):
        return self.name


class LabelSubcategory(models.Model):
    category = models.ForeignKey(
        LabelCategory,
        on_delete=models.PROTECT,
        related_name="subcategories",
        verbose_name=_("category"),
    )
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["category__order", "order", "code"]
        verbose_name = _("label subcategory")
        verbose_name_plural = _("label subcategories")

    def __str__(self):
        return f"{self.category.name} › {self.name}"


class Label(models.Model):
    subcategory = models.ForeignKey(
        LabelSubcategory,
        on_delete=models.PROTECT,
        related_name="labels",
        verbose_name=_("subcategory"),
    )
    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=32)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["subcategory__category__order", "subcategory__order", "order", "code"]
        verbose_name = _("label")
        verbose_name_plural = _("labels")

    def __str__(self):
        return self.name


class SpecialGroup(models.Model):
    """A special population a person belongs to (独居老人, 残疾, 社区矫正人员 …)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("special group")
        verbose_name_plural = _("special groups")

    def __str__(self):
        return self.name


def household_photo_path(instance, filename):
    # The server chooses the name: an uploaded name can carry a resident's name or ID.
    return f"households/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:5]}"


class HouseholdStatus(models.TextChoices):
    """Whether a household is still looked after here. Every status but active ends the
    follow-ups from the day given in ``moved_out_on``; the record stays, with its history."""

    ACTIVE = "active", _("Active")
    MOVED_OUT = "moved_out", _("Moved out")
    MERGED = "merged", _("Merged into another household")
    DECEASED = "deceased", _("No member living")


_room = RegexValidator(r"^[0-9A-Za-z]{1,8}$", _("A room number is up to 8 letters or digits, such as 501."))


NOT_A_BUILDING = _("A household lives in a building: choose a unit of a building level (楼栋).")


class HouseholdQuerySet(ScopedQuerySet):
    def below(self, unit):
        """The households in a unit's subtree: one prefix query on the path index."""
        return self.filter(unit__path__startswith=unit.path)

    def once_in_units(self, unit_ids) -> Q:
        # The history keeps every unit a household was in: one that moved out of these
        # units was seen in them.
        before = self.model.history.filter(unit__any_of=unit_ids).values("id")
        return self.in_units(unit_ids) | Q(pk__in=before)


class AboutHouseholdQuerySet(ScopedQuerySet):
    """Rows about a household (its members, visits, cases, income...): each user sees
    those of the households they see. ``household_path`` leads from the row to it."""

    household_path = "household"

    def in_units(self, unit_ids):
        # The households' own subquery, as the planner has known it since the first
        # version: the rows are then found by household through their own index.
        return Q(**{f"{self.household_path}__in": Household.objects.filter(unit__any_of=unit_ids)})

    def once_in_units(self, unit_ids) -> Q:
        # With the household: a row about one that moved out of these units was seen in them.
        households = Household.objects.all()
        return Q(**{f"{self.household_path}__in": households.filter(households.once_in_units(unit_ids))})


class AboutMemberQuerySet(AboutHouseholdQuerySet):
    """Rows about a member (their work, training, volunteering): visible with the household."""

    household_path = "member__household"


def id_number_digests(number: str) -> list[str]:
    """The blind indexes a search for ``number`` compares (one per index key in use)."""
    return crypto.blind_indexes(normalize_resident_id(number or ""), purpose="resident_id")


class MemberQuerySet(AboutHouseholdQuerySet):
    def with_id_number(self, number: str):
        """Members whose resident ID number is ``number`` (through its digest: the number
        itself is stored encrypted). An empty number finds nobody."""
        digests = id_number_digests(number)
        return self.filter(id_number_digest__in=digests) if digests else self.none()


class Household(models.Model):
    number = models.CharField(
        _("household number"),
        max_length=32,
        unique=True,
        help_text=_("Unique in the deployment."),
    )
    building = models.ForeignKey(
        "grids.GridUnit",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level__is_building": True},
        verbose_name=_("building"),
        error_messages={"invalid": NOT_A_BUILDING},
    )
    unit = models.ForeignKey(
        "grids.GridUnit",
        on_delete=models.PROTECT,
        related_name="households",
        blank=True,
        verbose_name=_("grid unit"),
        help_text=_(
            "The floor or group inside the building that looks after the household; "
            "empty for the building itself."
        ),
    )
    entrance = models.PositiveSmallIntegerField(_("entrance (单元)"), default=1)
    floor = models.PositiveSmallIntegerField(_("floor"))
    room = models.CharField(_("room"), max_length=8, validators=[_room])
    origin_county = models.CharField(
        _("county of origin"), max_length=32, blank=True, validators=[validate_name]
    )
    origin_township = models.CharField(
        _("township of origin"), max_length=32, blank=True, validators=[validate_name]
    )
    origin_village = models.CharField(
        _("village of origin"), max_length=32, blank=True, validators=[validate_name]
    )
    relocated_on = models.DateField(
        _("relocated on"), null=True, blank=True, validators=[validate_relocation_date]
    )
    phone = MobileNumberField(_("contact phone"), blank=True)
    photo = models.ImageField(_("photo"), upload_to=household_photo_path, blank=True)
    labels = models.ManyToManyField(Label, blank=True, related_name="households", verbose_name=_("labels"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=HouseholdStatus.choices,
        default=HouseholdStatus.ACTIVE,
    )
    moved_out_on = models.DateField(
        _("moved out on"), null=True, blank=True, validators=[validate_not_future]
    )
    tier = models.ForeignKey(
        "monitoring.Tier",
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("tier"),
    )
    tier_changed_at = models.DateTimeField(_("tier since"), null=True, blank=True)
    # Set when the household is registered and when it is recorded as active again after
    # it left: the follow-up engine owes nothing for a period that ended before.
    followed_since = models.DateTimeField(_("followed up since"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HouseholdQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[labels], excluded_fields=["updated_at"])

    class Meta:
        ordering = ["building__path", "entrance", "floor", "room"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [
            models.Index(fields=["updated_at", "id"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["tier"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "entrance", "room"],
                condition=Q(status="active"),
                name="one_active_household_per_address",
                violation_error_message=_("Another active household lives at this address."),
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def address(self) -> str:
        """Building, entrance, room: "3栋 2单元 501室"."""
        return _("%(building)s entrance %(entrance)s room %(room)s") % {
            "building": self.building.name,
            "entrance": self.entrance,
            "room": self.room,
        }

    def clean(self):
        errors = {}
        if self.building_id and self.building.level.is_building and self.room and self.is_active:
            taken = Household.objects.filter(
                building=self.building_id,
                entrance=self.entrance,
                room=self.room,
                status=HouseholdStatus.ACTIVE,
            ).exclude(pk=self.pk)
            if taken.exists():
                errors["room"] = _("Another active household lives at this address.")
        if self.building_id and self.building.level.is_building:
            if not self.unit_id:
                self.unit = self.building
            elif not self.unit.path.startswith(self.building.path):
                errors["unit"] = _("Choose the building itself or a unit inside it.")
        # A household that has left keeps the tier it had then, in whatever scheme.
        if self.unit_id and self.tier_id and "unit" not in errors and self.is_active:
            # The scheme's model, reached through the tier the household carries (a
            # string relation), not imported: monitoring's models import this module.
            schemes = self.tier._meta.get_field("scheme").related_model.objects
            scheme = schemes.in_force_for(self.unit)
            if self.tier.scheme_id != scheme.pk:
                errors["tier"] = _("This unit uses the tier scheme %(scheme)s; choose one of its tiers.") % {
                    "scheme": scheme.name
                }
        if self.status != HouseholdStatus.ACTIVE and not self.moved_out_on:
            errors["moved_out_on"] = _("Give the date the household moved out.")
        if errors:
            raise ValidationError(errors)

    def get_constraints(self):
        # clean() reports a taken address beside the room, where it is mended; the
        # constraint stays as the database's guard against two clerks saving at once.
        return _without(super().get_constraints(), "one_active_household_per_address")

    @property
    def is_active(self) -> bool:
        return self.status == HouseholdStatus.ACTIVE


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    PARENT = "parent", _("Parent")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Brother or sister")
    OTHER = "other", _("Other relative")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")


class Member(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("household")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=32, validators=[validate_name])
    relation = models.CharField(_("relation to head"), max_length=16, choices=Relation.choices)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    ethnicity = models.CharField(
        _("ethnicity"), max_length=2, choices=Ethnicity.choices, default=Ethnicity.HAN
    )
    birth_date = models.DateField(_("birth date"), validators=[validate_birth_date])
    # Encrypted at rest (common.crypto); searched and kept unique through its digest.
    id_number = EncryptedResidentIdField(
        _("resident ID number"),
        blank=True,
        help_text=_("18 characters. Leave empty only for a child not yet registered."),
    )
    id_number_digest = BlindIndexField(source="id_number", db_index=True)
    mobile = MobileNumberField(_("mobile number"), blank=True)
    is_labour_force = models.BooleanField(_("in the labour force"), default=False)
    special_groups = models.ManyToManyField(
        SpecialGroup, blank=True, related_name="members", verbose_name=_("special groups")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    left_on = models.DateField(_("left on"), null=True, blank=True, validators=[validate_not_future])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Moved on every save (and by every queryset update of it): the change feed of the API
    # (common.sync) orders by it, then by id.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[special_groups], excluded_fields=["updated_at"])

    class Meta:
        ordering = ["household", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        permissions = [("view_id_number", _("Can see full resident ID numbers"))]
        constraints = [
            # The database, not Python, has the last word: a person is an active member
            # of one household at most, even when two clerks save at the same moment.
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=Q(status="active") & ~Q(id_number_digest=""),
                name="person_active_in_one_household",
                violation_error_message=_("This person is already an active member of another household."),
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="active", relation="head"),
                name="one_head_per_household",
                violation_error_message=_("The household already has a head."),
            ),
        ]
        indexes = [
            models.Index(fields=["updated_at", "id"]),
            models.Index(fields=["mobile"]),
            # People per household, counted from the index alone (the wall counts the
            # people of 10,000 households on every refresh).
            models.Index(fields=["household"], condition=Q(status="active"), name="member_active_household"),
        ]

    def __str__(self):
        return self.name

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as e:
            errors = e.error_dict
        # Checked here rather than in clean() so that a form which has already said
        # where the person is (naming the household when the user may see it) can
        # exclude the field and not be told twice.
        checkable = "id_number" not in (exclude or ()) and "id_number" not in errors
        if self.id_number and checkable and self.other_active_membership() is not None:
            errors["id_number"] = [
                ValidationError(
                    _(
                        "This person is already an active member of another household; "
                        "record them as moved out there first."
                    ),
                    code="active_elsewhere",
                )
            ]
        if errors:
            raise ValidationError(errors)

    def get_constraints(self):
        # clean_fields() has said it already, naming the other household where it may.
        return _without(super().get_constraints(), "person_active_in_one_household")

    def clean(self):
        errors = {}
        if self.id_number and _is_valid_resident_id(self.id_number):
            born = resident_id_birth_date(self.id_number)
            if self.birth_date and born and born != self.birth_date:
                errors["birth_date"] = _("The birth date does not agree with the ID number.")
            if self.sex:  # a valid number: its 17th character is a digit
                expected = Sex.MALE if resident_id_is_male(self.id_number) else Sex.FEMALE
                if self.sex != expected:
                    errors["sex"] = _("The sex does not agree with the ID number.")
        if self.status != MemberStatus.ACTIVE and not self.left_on:
            errors["left_on"] = _("Give the date the person left.")
        if errors:
            raise ValidationError(errors)

    def other_active_membership(self):
        """The active membership of the same person in another household, if any."""
        if not self.id_number or self.status != MemberStatus.ACTIVE:
            return None
        return (
            Member.objects.with_id_number(self.id_number)
            .filter(status=MemberStatus.ACTIVE)
            .exclude(pk=self.pk)
            .select_related("household")
            .first()
        )

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


def _without(constraints_by_model, name):
    return [
        (model, [c for c in constraints if c.name != name]) for model, constraints in constraints_by_model
    ]


def _is_valid_resident_id(value: str) -> bool:
    try:
        validate_resident_id(value)
    except ValidationError:
        return False
    return True


def mask_id_number(value: str) -> str:
    """Show the first 4 and last 4 characters only: 5301**********1234."""
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_mobile(value: str) -> str:
    """Show the first 3 and last 4 digits only: 138****8000."""
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def ledger_upload_path(instance, filename):
    # The server chooses the name; the file goes once the import has ended.
    return f"ledgers/{uuid.uuid4().hex}.xlsx"


class LedgerImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking")
    INVALID = "invalid", _("Refused")
    READY = "ready", _("Ready to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Not imported within a day")


class LedgerImport(models.Model):
    """A household ledger (台账) uploaded as .xlsx: checked whole first, then imported
    whole or not at all. The file holds ID numbers, so it is deleted as soon as the
    import has ended; this record (who, where, what came of it) stays."""

    unit = models.ForeignKey(
        "grids.GridUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("grid unit"),
        help_text=_("The ledger's buildings are looked up under this unit."),
    )
    file = models.FileField(_("file"), upload_to=ledger_upload_path, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=LedgerImportStatus.choices, default=LedgerImportStatus.CHECKING
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # The uploader's language: the check runs in a worker, its messages are for them.
    language = models.CharField(_("language"), max_length=16, default=settings.LANGUAGE_CODE)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # When the worker was last asked for a step (the check on upload, the import on
    # confirmation): a step still running long after is taken for lost
    # (settings.STALLED_WORK_SECONDS, households.ledger.fail_stalled_imports).
    queued_at = models.DateTimeField(_("queued for the worker at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in (LedgerImportStatus.CHECKING, LedgerImportStatus.IMPORTING)


class ExportKind(models.TextChoices):
    HOUSEHOLDS = "households", _("Households, members and tiers")
    VISITS = "visits", _("Visits")
    CASES = "cases", _("Cases")
    EMPLOYMENT = "employment", _("Employment figures")


class ExportLog(models.Model):
    """Every export: who took which data of which place and period, and how many rows.
    Written in the same request as the file, before it is sent."""

    kind = models.CharField(_("data exported"), max_length=16, choices=ExportKind.choices)
    unit = models.ForeignKey(
        "grids.GridUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid unit")
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    rows = models.PositiveIntegerField(_("rows"))
    full_id_numbers = models.BooleanField(_("full ID numbers"), default=False)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("exported by")
    )
    exported_at = models.DateTimeField(_("exported at"), auto_now_add=True)

    class Meta:
        ordering = ["-exported_at"]
        verbose_name = _("export")
        verbose_name_plural = _("export log")
        permissions = [("export_ledgers", _("Can export ledgers to Excel"))]

    def __str__(self):
        when = timezone.localtime(self.exported_at)
        return f"{self.get_kind_display()} · {self.unit} · {when:%Y-%m-%d %H:%M}"


def export_file_path(instance, filename):
    return f"exports/{uuid.uuid4().hex}.xlsx"


class PreparedExportStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class PreparedExport(models.Model):
    """An export too large to build during a request: the worker builds it for its
    requester, who downloads it within a day; then the file, with its personal data, goes.
    The export log is written when the file is built."""

    kind = models.CharField(_("data exported"), max_length=16, choices=ExportKind.choices)
    unit = models.ForeignKey(
        "grids.GridUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid unit")
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    language = models.CharField(_("language"), max_length=16, default=settings.LANGUAGE_CODE)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PreparedExportStatus.choices,
        default=PreparedExportStatus.PREPARING,
    )
    file = models.FileField(_("file"), upload_to=export_file_path, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    log = models.OneToOneField(
        ExportLog, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("export")
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Failed because the worker never finished it (settings.STALLED_WORK_SECONDS), which
    # the requester is told, rather than by an error while building it.
    timed_out = models.BooleanField(_("not finished in time"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("prepared export")
        verbose_name_plural = _("prepared exports")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.unit} · {self.get_status_display()}"
