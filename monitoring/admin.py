from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyMixin, ScopedAdminMixin
from households.admin import HouseholdAdmin
from monitoring.followups import record_visit, validate_visit
from monitoring.models import (
    CalendarDay,
    CalendarYear,
    FollowUp,
    Notification,
    Tier,
    TierChange,
    TierScheme,
    Visit,
)


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
