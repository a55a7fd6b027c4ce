from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.admin import ReadOnlyMixin, ScopedAdminMixin
from common.validators import REASON_MAX_LENGTH
from grids.admin import GridUnitAdmin as GridOnlyUnitAdmin
from grids.admin import GridUnitForm
from grids.models import GridUnit
from households.admin import HouseholdAdmin
from households.models import Household
from monitoring.followups import record_visit, validate_visit
from monitoring.models import (
    CalendarDay,
    CalendarYear,
    FollowUp,
    Notification,
    Tier,
    TierChange,
    TierScheme,
    UnitTierScheme,
    Visit,
)
from monitoring.services import switch_tier_scheme


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0


class TierChangeInline(admin.TabularInline):
    model = TierChange
    fields = ["changed_at", "from_tier", "to_tier", "reason", "changed_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("tier history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# On every household's page, after its members.
HouseholdAdmin.contribute_inline(TierChangeInline)


@admin.register(TierScheme)
class TierSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_default"]
    inlines = [TierInline]


class GridUnitSchemeForm(GridUnitForm):
    """The grid's unit form, with the tier scheme the unit uses and why it changes."""

    tier_scheme = forms.ModelChoiceField(
        TierScheme.objects.all(),
        required=False,
        label=_("tier scheme"),
        help_text=_("Set on a community; the units below it inherit it."),
    )
    scheme_reason = forms.CharField(
        label=_("reason for changing the tier scheme"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed when the scheme changes under households: each moves to the matching tier "
            "of the new scheme (same colour, else the nearest in severity), recorded as a tier change."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            own = UnitTierScheme.objects.filter(unit=self.instance).values_list("scheme", flat=True).first()
            self.initial.setdefault("tier_scheme", own)

    def scheme_changes(self) -> bool:
        return self.instance.pk is not None and "tier_scheme" in self.changed_data

    def clean(self):
        cleaned = super().clean()
        reason_missing = not cleaned.get("scheme_reason", "").strip()
        if self.scheme_changes() and reason_missing and Household.objects.below(self.instance).exists():
            self.add_error("scheme_reason", _("Households live here: say why their tiers change."))
        return cleaned


# The grid's page for units, with the scheme switch added: the grid, the ground floor,
# knows nothing of tiers. grids.admin registered its own first (importing it did).
admin.site.unregister(GridUnit)


@admin.register(GridUnit)
class GridUnitAdmin(GridOnlyUnitAdmin):
    form = GridUnitSchemeForm
    list_display = [*GridOnlyUnitAdmin.list_display[:-1], "tier_scheme", GridOnlyUnitAdmin.list_display[-1]]
    list_filter = [*GridOnlyUnitAdmin.list_filter, "own_tier_scheme__scheme"]
    list_select_related = [*GridOnlyUnitAdmin.list_select_related, "own_tier_scheme__scheme"]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        after = fields.index("symbol") + 1
        ours = ["tier_scheme"] if obj is None else ["tier_scheme", "scheme_reason"]
        return [*fields[:after], *ours, *fields[after:]]

    @admin.display(description=_("tier scheme"), ordering="own_tier_scheme__scheme__name")
    def tier_scheme(self, unit):
        own = getattr(unit, "own_tier_scheme", None)
        return own.scheme if own else None

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        scheme = form.cleaned_data.get("tier_scheme")
        if not change:
            # A new unit has no households to move.
            if scheme is not None:
                UnitTierScheme.objects.create(unit=obj, scheme=scheme)
            return
        if not form.scheme_changes():
            return
        moved = switch_tier_scheme(
            unit=obj, scheme=scheme, reason=form.cleaned_data["scheme_reason"] or "—", by=request.user
        )
        if moved:
            messages.info(
                request,
                ngettext(
                    "%(count)s household moved to the new scheme's tiers.",
                    "%(count)s households moved to the new scheme's tiers.",
                    moved,
                )
                % {"count": moved},
            )


@admin.register(TierChange)
class TierChangeAdmin(ScopedAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """History, read only: changes are made from the household ("Change tier")."""

    list_display = ["changed_at", "household", "from_tier", "to_tier", "changed_by", "reason"]
    list_filter = ["to_tier", "changed_at"]
    list_select_related = ["household", "from_tier", "to_tier", "changed_by"]
    search_fields = ["household__number", "reason"]
    date_hierarchy = "changed_at"


@admin.register(FollowUp)
class FollowUpAdmin(ScopedAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Written by the engine only; visits close them, tier changes cancel them."""

    list_display = ["household", "tier", "period_start", "due_on", "status", "assignee", "visit"]
    list_filter = ["status", "due_on", "tier"]
    list_select_related = ["household", "tier", "assignee", "visit"]
    search_fields = ["household__number"]
    date_hierarchy = "due_on"
    show_full_result_count = False


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["household", "visited_at", "mode", "notes"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("household") and cleaned.get("visited_at"):
            try:
                validate_visit(household=cleaned["household"], visited_at=cleaned["visited_at"])
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        return cleaned


@admin.register(Visit)
class VisitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Visits are added (through the engine, which closes the follow-up) and then kept."""

    form = VisitForm
    list_display = ["visited_at", "household", "mode", "visited_by"]
    list_filter = ["mode", "visited_at"]
    list_select_related = ["household", "visited_by"]
    search_fields = ["household__number"]
    autocomplete_fields = ["household"]
    date_hierarchy = "visited_at"
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        visit, _created = record_visit(
            household=obj.household,
            by=request.user,
            visited_at=obj.visited_at,
            mode=obj.mode,
            notes=obj.notes,
        )
        obj.pk = visit.pk


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "household", "read_at", "emailed_at"]
    list_filter = ["kind", "read_at", "created_at"]
    list_select_related = ["recipient", "household"]
    search_fields = ["household__number", "recipient__username"]

    def get_queryset(self, request):
        mine = super().get_queryset(request)
        return mine if request.user.is_superuser else mine.filter(recipient=request.user)


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Next year's holidays and 调休 days, entered when the State Council publishes them."""

    list_display = ["year", "source"]
    inlines = [CalendarDayInline]
