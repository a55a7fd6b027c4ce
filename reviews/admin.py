"""Reviews and their decisions, read-only: they are recorded on the agenda page, through
the services that carry each decision out."""

from django.contrib import admin

from common.admin import ReadOnlyMixin, ScopedAdminMixin
from reviews.models import Decision, Review


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    fields = ["household", "kind", "tier", "measure", "person", "case", "reason", "decided_by", "decided_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(ScopedAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["unit", "month", "held_on", "recorded_by"]
    list_select_related = ["unit", "recorded_by"]
    date_hierarchy = "month"
    inlines = [DecisionInline]


@admin.register(Decision)
class DecisionAdmin(ScopedAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["household", "review", "kind", "tier", "person", "decided_by", "decided_at"]
    list_filter = ["kind"]
    list_select_related = ["household", "review__unit", "tier", "person", "decided_by"]
