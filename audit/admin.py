"""The audit log in the admin: for the audit administrator's eyes only, read only.

三权分立: the system administrator configures the system and does not read the log, so
being a superuser opens nothing here. Only membership of a group holding the log's view
permission (the "Audit administrator" role, audit/roles.py) does; and nobody, superuser
included, adds, changes or deletes a row (the database refuses anyway: migrations/0002).
"""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from common.admin import ReadOnlyMixin

# What an audit row may be about: our apps' models and the accounts'.
TARGET_APPS = ("auth", "accounts", "grids", "households", "monitoring", "employment", "services")


def reads_the_audit_log(user) -> bool:
    """Through a group's permission, never through is_superuser (which has every
    permission in Django's own check)."""
    if not (user.is_active and user.is_staff):
        return False
    return Permission.objects.filter(
        group__user=user, content_type__app_label="audit", codename="view_auditevent"
    ).exists()


class TargetTypeFilter(admin.SimpleListFilter):
    title = _("what")
    parameter_name = "target_type"

    def lookups(self, request, model_admin):
        # From the models, not a DISTINCT over millions of rows.
        models = [
            m
            for m in apps.get_models()
            if m._meta.app_label in TARGET_APPS and not hasattr(m, "instance_type")
        ]
        return sorted(((m._meta.label_lower, m._meta.verbose_name) for m in models), key=lambda c: str(c[1]))

    def queryset(self, request, queryset):
        return queryset.filter(target_type=self.value()) if self.value() else queryset


class TargetIdFilter(admin.SimpleListFilter):
    """One record's id, typed: with "what", who read or changed that record (the index on
    target type, target id and time answers it)."""

    title = _("record ID")
    parameter_name = "target_id"
    template = "admin/audit/input_filter.html"

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def choices(self, changelist):
        keep = [
            (key, value)
            for key, values in changelist.params.items()
            if key not in (self.parameter_name, "p")
            for value in (values if isinstance(values, list) else [values])
        ]
        yield {"hidden": keep, "value": self.value() or "", "name": self.parameter_name}

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        return queryset.filter(target_id=value) if value else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "username", "address", "action", "target_type", "which", "outcome"]
    list_filter = ["action", "outcome", TargetTypeFilter, TargetIdFilter, ("at", admin.DateFieldListFilter)]
    search_fields = ["username"]
    search_help_text = _("The exact user name.")
    fields = [
        "at",
        "user_id",
        "username",
        "address",
        "action",
        "target_type",
        "target_ids",
        "outcome",
        "detail",
        "previous_hash",
        "hash",
    ]
    readonly_fields = fields
    # No COUNT(*) over the whole log on every page.
    show_full_result_count = False
    list_per_page = 100

    def has_module_permission(self, request):
        return self._reader(request)

    def has_view_permission(self, request, obj=None):
        return self._reader(request)

    def _reader(self, request) -> bool:
        if not hasattr(request, "_reads_the_audit_log"):
            request._reads_the_audit_log = reads_the_audit_log(request.user)
        return request._reads_the_audit_log

    def get_search_results(self, request, queryset, search_term):
        # Exact (the index on username and time), not Django's icontains over every row.
        term = search_term.strip()
        return (queryset.filter(username=term) if term else queryset), False

    @admin.display(description=_("which"))
    def which(self, event):
        ids = [str(i) for i in event.target_ids]
        return ", ".join(ids[:10]) + (" …" if len(ids) > 10 else "")
