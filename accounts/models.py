"""Accounts that resist attack: password history, API tokens, second factors."""

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PasswordHistory(models.Model):
    """Every password a user was given, as its hash, appended and never deleted.

    A row is added by ``accounts.validators.PasswordHistoryValidator.password_changed``,
    which Django calls whenever a user is saved with a new password. The newest row says
    when the password was set (for expiry) and whether an administrator set it (then the
    user must choose their own at the next login).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(_("password hash"), max_length=128)
    set_at = models.DateTimeField(_("set at"), default=timezone.now)
    set_by_administrator = models.BooleanField(_("set by an administrator"), default=False)

    class Meta:
        ordering = ["-set_at", "-id"]
        verbose_name = _("former password")
        verbose_name_plural = _("password history")
        default_permissions = []
        indexes = [models.Index(fields=["user", "-set_at"])]

    def __str__(self):
        return f"{self.user_id} {self.set_at:%Y-%m-%d %H:%M}"


def token_digest(secret: str) -> str:
    # The secret is 32 random bytes: a plain SHA-256 cannot be reversed or guessed, and a
    # slow hash would cost every API request its time.
    return hashlib.sha256(secret.encode()).hexdigest()


def default_token_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DAYS)


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)

    def revoke(self) -> int:
        return self.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


class ApiToken(models.Model):
    """A key another system sends as ``Authorization: Token <key>``, acting as ``user``.

    The key is ``<prefix>.<secret>``; only the prefix (to recognise a token in a list) and
    the SHA-256 of the whole key are stored, so the key is shown once, when it is made.
    """

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    purpose = models.CharField(
        _("purpose"), max_length=100, help_text=_("What the token is for, e.g. 民政局数据同步.")
    )
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, unique=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"), default=default_token_expiry)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        default_permissions = ["view", "add", "change"]

    def __str__(self):
        return f"{self.prefix}… {self.purpose}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now() and self.user.is_active


class IdempotencyKey(models.Model):
    """A POST of the API sent with an ``Idempotency-Key`` header, and what it answered.

    One row per user and key (a key is the caller's: two systems may use the same one). The
    row is written in the transaction of the request's own writes, so that a request rolled
    back leaves no key, and a second request with the same key waits on the unique index
    until the first has committed, then replays its answer (``accounts.idempotency``).
    The answer is kept encrypted: it may hold personal data (a member's ID number).
    Rows older than ``IDEMPOTENCY_KEY_HOURS`` count for nothing and are deleted hourly."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("key"), max_length=255)
    # SHA-256 of the method, the path and the parsed body: the same key with another
    # request is refused rather than answered with the first request's answer.
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status = models.PositiveSmallIntegerField(_("response status"))
    response = models.TextField(_("response (encrypted)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        default_permissions = []
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
