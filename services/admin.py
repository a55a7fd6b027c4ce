"""The registries of volunteering and the 爱心超市 are kept here; cases, door cards and the
ledger are written through the pages and shown read-only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyMixin, ScopedAdminMixin
from services.models import (
    CaseEvent,
    DoorCard,
    PointEntry,
    PointRule,
    RewardItem,
    ServiceCase,
    ServiceRecord,
    Volunteer,
    VolunteerTeam,
)
from services.points import record_service


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ["at", "kind", "status", "level", "text", "by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceCase)
class ServiceCaseAdmin(ScopedAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["household", "category", "urgency", "status", "level", "due_on", "assigned_to"]
    list_filter = ["status", "level", "category", "urgency"]
    list_select_related = ["household", "assigned_to"]
    inlines = [CaseEventInline]


@admin.register(DoorCard)
class DoorCardAdmin(ScopedAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["household", "created_at", "created_by", "revoked_at"]
    fields = ["household", "created_at", "created_by", "revoked_at"]  # never the key: it opens the help page


@admin.register(VolunteerTeam)
class VolunteerTeamAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "unit"]
    autocomplete_fields = ["unit"]


@admin.register(Volunteer)
class VolunteerAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["member", "team", "joined_on"]
    raw_id_fields = ["member"]


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "points", "per_hour"]
    list_filter = ["kind"]


@admin.register(RewardItem)
class RewardItemAdmin(admin.ModelAdmin):
    # Stock is not edited in the list: a number typed over a redemption made meanwhile
    # would lose it. It is set when an item is added and changed on the item's page.
    list_display = ["name", "points", "stock", "is_active"]


@admin.register(PointEntry)
class PointEntryAdmin(ScopedAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["household", "at", "kind", "points", "balance", "reason", "by"]
    list_filter = ["kind"]


class ServiceRecordForm(forms.ModelForm):
    class Meta:
        model = ServiceRecord
        fields = ["volunteer", "rule", "hours", "on"]

    def clean_on(self):
        if self.cleaned_data["on"] > timezone.localdate():
            raise ValidationError(_("The day cannot be in the future."))
        return self.cleaned_data["on"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Volunteering is recorded here; the points follow through the ledger's service."""

    form = ServiceRecordForm
    list_display = ["volunteer", "rule", "hours", "on", "recorded_by"]
    # Only volunteers in scope are offered, and a typed id for another is refused, not
    # credited (ScopedAdminMixin).
    raw_id_fields = ["volunteer"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The form has checked what the service would refuse; the service writes the
        # record and its ledger entry together.
        saved = record_service(
            volunteer=obj.volunteer, rule=obj.rule, hours=obj.hours, on=obj.on, by=request.user
        )
        obj.pk, obj.entry, obj.recorded_by = saved.pk, saved.entry, saved.recorded_by
