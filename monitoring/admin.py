from django.contrib import admin

from monitoring.models import Tier, TierChange, TierScheme


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0


@admin.register(TierScheme)
class TierSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_default"]
    inlines = [TierInline]


@admin.register(TierChange)
class TierChangeAdmin(admin.ModelAdmin):
    """History, read only: changes are made from the household ("Change tier")."""

    list_display = ["changed_at", "household", "from_tier", "to_tier", "changed_by", "reason"]
    list_filter = ["to_tier", "changed_at"]
    list_select_related = ["household", "from_tier", "to_tier", "changed_by"]
    search_fields = ["household__number", "reason"]
    date_hierarchy = "changed_at"

    def get_queryset(self, request):
        from grids.scope import households_in_scope

        return super().get_queryset(request).filter(household__in=households_in_scope(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
