"""Administration of the registries (workshops, posts, income lines) and a read-only
view of the records, which are written through the pages' services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyMixin, ScopedAdminMixin
from employment.models import (
    EmploymentWarning,
    IncomeLine,
    IncomeRecord,
    JobOffer,
    LabourRecord,
    Training,
    WelfarePost,
    Workshop,
)


class WorkplaceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "unit", "capacity", "headcount", "is_open"]
    list_filter = ["is_open"]
    search_fields = ["name"]
    autocomplete_fields = ["unit"]

    def get_queryset(self, request):
        return self.model.with_headcount(super().get_queryset(request))

    @admin.display(description=_("people working there"))
    def headcount(self, obj):
        return obj.headcount()


admin.site.register(Workshop, WorkplaceAdmin)
admin.site.register(WelfarePost, WorkplaceAdmin)


@admin.register(LabourRecord)
class LabourRecordAdmin(ScopedAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["member", "status", "starts_on", "ends_on", "monthly_income", "recorded_by"]
    list_filter = ["status"]
    list_select_related = ["member", "recorded_by"]
    date_hierarchy = "starts_on"


@admin.register(Training)
class TrainingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["member", "course", "provider", "starts_on", "certificate"]
    list_filter = ["certificate"]
    search_fields = ["course", "provider"]
    raw_id_fields = ["member"]


@admin.register(JobOffer)
class JobOfferAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["household", "member", "employer", "position", "offered_on", "outcome"]
    list_filter = ["outcome"]
    raw_id_fields = ["household", "member"]
    readonly_fields = ["offered_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.offered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(IncomeRecord)
class IncomeRecordAdmin(ScopedAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["household", "year", "per_capita", "source", "recorded_at", "recorded_by"]
    list_filter = ["year", "source"]


@admin.register(IncomeLine)
class IncomeLineAdmin(admin.ModelAdmin):
    list_display = ["name", "yuan", "warns"]


@admin.register(EmploymentWarning)
class WarningAdmin(ScopedAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["household", "kind", "member", "raised_at", "cleared_at"]
    list_filter = ["kind", ("cleared_at", admin.EmptyFieldListFilter)]
    list_select_related = ["household", "member"]
