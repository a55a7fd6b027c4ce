"""Webhooks: events written to an outbox with the change that caused them, and pushed to
the systems an administrator registered, each attempt kept.

An ``Event`` is written once, in the transaction of the change (``webhooks.outbox``);
a ``Delivery`` per webhook that wants it is written with it, so that a receiver that is
down misses nothing: the rows wait, and ``webhooks.delivery`` sends them in event order.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import crypto
from grids.scope import ScopedQuerySet

SECRET_PURPOSE = "webhooks.secret"


class EventType(models.TextChoices):
    TIER_CHANGED = "tier.changed", _("Tier changed")
    PROPOSAL_MADE = "proposal.made", _("Tier proposal made")
    PROPOSAL_DECIDED = "proposal.decided", _("Tier proposal decided")
    FOLLOW_UP_MISSED = "follow_up.missed", _("Follow-up missed")
    CASE_OPENED = "case.opened", _("Case opened")
    CASE_ESCALATED = "case.escalated", _("Case escalated")
    CASE_CLOSED = "case.closed", _("Case closed")
    HELP_REQUEST_RECEIVED = "help_request.received", _("Help request received")


def validate_webhook_url(url: str) -> None:
    """http(s) only; plain http only where a deployment allows it (a receiver on the same
    private network, named in WEBHOOK_PLAIN_HTTP_HOSTS), since the body crosses the wire."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Give an http:// or https:// address."), code="scheme")
    if parts.username or parts.password:
        raise ValidationError(_("Leave the user name and password out of the address."), code="credentials")
    if (
        parts.scheme == "http"
        and settings.WEBHOOK_REQUIRE_HTTPS
        and parts.hostname.lower() not in {h.lower() for h in settings.WEBHOOK_PLAIN_HTTP_HOSTS}
    ):
        raise ValidationError(
            _("Use https://: plain http is allowed only for the hosts in WEBHOOK_PLAIN_HTTP_HOSTS."),
            code="plain_http",
        )


class Webhook(models.Model):
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[validate_webhook_url],
        help_text=_("Where the events are sent, with an HTTP POST."),
    )
    unit = models.ForeignKey(
        "grids.GridUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
        help_text=_("Events of this unit and of every unit under it."),
    )
    events = models.JSONField(_("events"), default=list)
    # Encrypted (common.crypto): the sender needs it back to sign, so it cannot be hashed.
    secret = models.TextField(_("secret"), editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # A deliverer's claim on the webhook (delivery.deliver): one sender at a time keeps the
    # events in order.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def set_secret(self, secret: str) -> None:
        self.secret = crypto.encrypt(secret, purpose=SECRET_PURPOSE)

    def plain_secret(self) -> str:
        return crypto.decrypt(self.secret, purpose=SECRET_PURPOSE)

    def clean(self):
        unknown = set(self.events or []) - set(EventType.values)
        if not self.events or unknown:
            raise ValidationError({"events": _("Choose at least one of the listed events.")})


class EventQuerySet(ScopedQuerySet):
    pass


class Event(models.Model):
    """The outbox: what happened, as a receiver will read it (ids, codes and times; never a
    name, an ID number or a phone number)."""

    id = models.BigAutoField(primary_key=True)
    type = models.CharField(_("type"), max_length=32, choices=EventType.choices)
    unit = models.ForeignKey(
        "grids.GridUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    data = models.JSONField(_("data"), default=dict)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["id"]

    def __str__(self):
        return f"{self.type} #{self.id}"

    def payload(self) -> dict:
        return {
            "id": self.id,
            "type": self.type,
            "occurred_at": self.occurred_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
            "unit": {"id": self.unit_id, "code": self.unit.code},
            "data": self.data,
        }


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("given up")


class DeliveryQuerySet(ScopedQuerySet):
    scope_path = "webhook__unit"


class Delivery(models.Model):
    """One event for one webhook: pending until the receiver answers 2xx, or until
    retrying has gone on for WEBHOOK_RETRY_HOURS."""

    id = models.BigAutoField(primary_key=True)
    webhook = models.ForeignKey(
        Webhook, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("webhook")
    )
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("event")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # Where the retries are counted from: the event, or the admin's replay.
    retry_from = models.DateTimeField(_("retrying since"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-id"]
        permissions = [("replay_delivery", _("Can replay a webhook delivery"))]
        constraints = [models.UniqueConstraint(fields=["webhook", "event"], name="delivery_once_per_webhook")]
        indexes = [
            # The deliverer's question: this webhook's first pending events, in order.
            models.Index(
                fields=["webhook", "event"],
                condition=models.Q(status="pending"),
                name="delivery_pending",
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.webhook}"


class ErrorKind(models.TextChoices):
    NONE = "", _("none")
    HTTP_STATUS = "http_status", _("not a 2xx answer")
    TIMEOUT = "timeout", _("timed out")
    CONNECTION = "connection", _("could not connect")
    TLS = "tls", _("TLS error")
    REFUSED_URL = "refused_url", _("address not allowed")


class Attempt(models.Model):
    """One try of a delivery: what the receiver answered, never what was sent."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    attempted_at = models.DateTimeField(_("attempted at"), default=timezone.now)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    error_kind = models.CharField(_("error"), max_length=16, choices=ErrorKind.choices, blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["attempted_at", "id"]

    def __str__(self):
        return f"{self.attempted_at:%Y-%m-%d %H:%M:%S} {self.response_code or self.error_kind}"
