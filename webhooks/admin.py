"""Registering webhooks and reading their delivery log (and replaying from it)."""

import secrets

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.admin import ReadOnlyMixin, ScopedAdminMixin
from webhooks import delivery
from webhooks.models import Attempt, Delivery, EventType, Webhook
from webhooks.outbox import send_soon


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=Webhook._meta.get_field("url").help_text,
    )
    events = forms.MultipleChoiceField(
        label=_("events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "unit", "events", "active"]


def _show_secret(request, webhook: Webhook, secret: str):
    """The secret, once: the page is not cached, and the database keeps it encrypted."""
    response = TemplateResponse(
        request,
        "webhooks/secret.html",
        {
            **admin.site.each_context(request),
            "title": _("The webhook's secret"),
            "webhook": webhook,
            "secret": secret,
            "opts": Webhook._meta,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@admin.register(Webhook)
class WebhookAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = WebhookForm
    list_display = ["name", "url", "unit", "event_types", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    autocomplete_fields = ["unit"]
    actions = ["give_new_secret"]

    @admin.display(description=_("events"))
    def event_types(self, obj):
        labels = dict(EventType.choices)
        return ", ".join(str(labels.get(value, value)) for value in obj.events)

    def save_model(self, request, obj, form, change):
        if not change:
            obj._new_secret = new_secret()
            obj.set_secret(obj._new_secret)
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        return _show_secret(request, obj, obj._new_secret)

    @admin.action(description=_("Give a new secret (the receiver must be told)"), permissions=["change"])
    def give_new_secret(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose one webhook at a time."), messages.ERROR)
            return None
        webhook = queryset.get()
        secret = new_secret()
        webhook.set_secret(secret)
        webhook.save(update_fields=["secret"])
        return _show_secret(request, webhook, secret)


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ["attempted_at", "response_code", "error_kind", "duration_ms"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ScopedAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """The delivery log: one row per event and webhook, its attempts below it. The
    payload is not shown: the log is for what happened to the sending."""

    list_display = [
        "event_id",
        "event_type",
        "webhook",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "webhook", "event__type"]
    list_select_related = ["event", "webhook"]
    fields = [
        "webhook",
        "event",
        "event_type",
        "status",
        "attempts",
        "retry_from",
        "next_attempt_at",
        "delivered_at",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["replay"]

    @admin.display(description=_("event type"), ordering="event__type")
    def event_type(self, obj):
        return obj.event.get_type_display()

    def has_replay_permission(self, request):
        return request.user.has_perm("webhooks.replay_delivery")

    @admin.action(description=_("Send the selected events again"), permissions=["replay"])
    def replay(self, request, queryset):
        webhooks = delivery.replay(queryset)
        for webhook_id in webhooks:
            transaction.on_commit(lambda pk=webhook_id: send_soon(pk), robust=True)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "%(count)d event will be sent again, in order.",
                "%(count)d events will be sent again, in order.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
