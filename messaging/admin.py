"""Users' channels and choices, and the log of every message (read-only, with a resend)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.admin import ReadOnlyMixin
from messaging import sending
from messaging.models import Attempt, Contact, Digest, Message, Preference


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["user", "channel", "quiet_hours"]
    list_filter = ["channel", "quiet_hours"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "channel"]
    list_filter = ["kind", "channel"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]


class AttemptInline(ReadOnlyMixin, admin.TabularInline):
    model = Attempt
    fields = ["attempted_at", "http_status", "provider_code", "error", "duration_ms"]
    readonly_fields = fields
    extra = 0


@admin.register(Message)
class MessageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    # The log shows who, how and how it went; the text is the recipient's to read.
    list_display = [
        "id",
        "created_at",
        "recipient",
        "kind",
        "channel",
        "urgent",
        "status",
        "attempts",
        "provider_code",
    ]
    list_filter = ["status", "channel", "kind", "urgent"]
    search_fields = ["recipient__username", "key"]
    fields = [
        "key",
        "recipient",
        "kind",
        "channel",
        "urgent",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "provider_code",
        "provider_id",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["send_again"]

    @admin.action(description=_("Send again (given up or answer unknown)"), permissions=["resend"])
    def send_again(self, request, queryset):
        count = sending.send_again(queryset)
        self.message_user(
            request,
            ngettext("%(count)d message will be sent again.", "%(count)d messages will be sent again.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_resend_permission(self, request):
        return request.user.has_perm("messaging.resend_message")


@admin.register(Digest)
class DigestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["day", "user"]
    list_filter = ["day"]
    search_fields = ["user__username"]
