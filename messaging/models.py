"""Who hears of what, on which channel, and the log of every message sent.

A ``Message`` is one text for one user on one channel, written once under a key that
names what it is about (``notification:123``, ``digest:2026-11-25:42``): asked to send the
same thing twice, the second write finds the first. Its attempts are kept (``Attempt``):
when, the provider's answer code, how long it took; never the phone number or the text.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.fields import MobileNumberField
from messaging import registry


class Channel(models.TextChoices):
    INAPP = "inapp", _("In the app only")
    EMAIL = "email", _("E-mail")
    WECOM = "wecom", _("WeCom (企业微信) app message")
    WECOM_ROBOT = "wecom_robot", _("WeCom group robot")
    SMS = "sms", _("SMS")
    CONSOLE = "console", _("Console (demo)")


class Contact(models.Model):
    """A user's addresses outside the app, and their channel unless a kind says otherwise."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="message_contact",
        verbose_name=_("user"),
    )
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=Channel.choices,
        blank=True,
        help_text=_("Where messages go unless chosen otherwise for a kind; empty: the site's default."),
    )
    wecom_userid = models.CharField(
        _("WeCom user ID"),
        max_length=64,
        blank=True,
        help_text=_("The account ID in 企业微信's address book."),
    )
    wecom_robot_key = models.CharField(
        _("WeCom group robot key"),
        max_length=64,
        blank=True,
        help_text=_("The key=… of the group robot's webhook address, for messages to a work group."),
    )
    mobile = MobileNumberField(_("mobile number for SMS"), blank=True)
    quiet_hours = models.BooleanField(
        _("quiet hours"),
        default=True,
        help_text=_(
            "Hold messages that are not urgent until quiet hours end (the site sets them, e.g. 21:00–07:00)."
        ),
    )

    class Meta:
        verbose_name = _("message contact")
        verbose_name_plural = _("message contacts")

    def __str__(self):
        return str(self.user)


class Preference(models.Model):
    """The channel one user chose for one kind of message."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="message_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=registry.kind_choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)

    class Meta:
        verbose_name = _("message preference")
        verbose_name_plural = _("message preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_channel_per_kind")]

    def __str__(self):
        return f"{self.user} · {self.kind} → {self.channel}"


class Status(models.TextChoices):
    PENDING = "pending", _("waiting")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("given up")
    # Sent, and no answer came back (a timeout after the request left): the provider may
    # have accepted it. Not sent again by itself, so that nobody gets it twice.
    UNKNOWN = "unknown", _("answer unknown")


class Message(models.Model):
    id = models.BigAutoField(primary_key=True)
    key = models.CharField(_("message key"), max_length=100, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=registry.kind_choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    urgent = models.BooleanField(_("urgent"), default=False)
    # Kept for the retries, shown to nobody but the recipient; never written to a log.
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Not before: the end of quiet hours for a message that is not urgent, or the next try.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # A sender's claim (sending.deliver): one sender at a time, and a dead one's claim ends.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    provider_code = models.CharField(_("provider's answer"), max_length=64, blank=True)
    provider_id = models.CharField(_("provider's message ID"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-id"]
        permissions = [("resend_message", _("Can send a message again"))]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="message_due"),
            models.Index(fields=["recipient", "-created_at"], name="message_recipient"),
        ]

    def __str__(self):
        return f"#{self.id} {self.kind} → {self.recipient_id} ({self.channel})"


class Attempt(models.Model):
    """One try of a message: what the provider answered, never what was sent."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(_("attempted at"), default=timezone.now)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    provider_code = models.CharField(_("provider's answer"), max_length=64, blank=True)
    error = models.CharField(_("error"), max_length=32, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["attempted_at", "id"]

    def __str__(self):
        return f"{self.attempted_at:%Y-%m-%d %H:%M:%S} {self.provider_code or self.error}"


class Digest(models.Model):
    """One user's morning digest of one day: what each section counted, with the first
    lines of each, shown on its page (the inbox's one line a day links to it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests", verbose_name=_("user")
    )
    day = models.DateField(_("day"))
    sections = models.JSONField(_("sections"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        ordering = ["-day", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_a_day")]

    def __str__(self):
        return f"{self.user} · {self.day}"


class DigestRun(models.Model):
    """A day's digest run, and the stretch it told of: the misses closed since the run
    before (``since``) up to this one (``until``). A second run on the same day tells of
    the same stretch; the next day's starts where this one ended, so that each miss is in
    exactly one digest, whatever the hour or the days the job did not run."""

    day = models.DateField(_("day"), unique=True)
    since = models.DateTimeField(_("since"))
    until = models.DateTimeField(_("until"))

    class Meta:
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")
        ordering = ["-day"]

    def __str__(self):
        return str(self.day)
