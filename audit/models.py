"""The audit log: who read or did what, when, from where, and how it ended.

Rows are only ever added. Each carries a keyed hash (HMAC, key outside the database) of
itself and of the row before, so that a row edited or deleted behind the application's
back breaks the chain where it happened (``manage.py verify_audit``).
"""

import datetime
import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOCKED_OUT = "locked_out", _("Locked out")
    UNLOCKED = "unlocked", _("Unlocked")
    LOGOUT = "logout", _("Logged out")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    SECOND_FACTOR = "second_factor", _("Second factor")
    TOKEN = "token", _("API token")
    ROLE_CHANGED = "role_changed", _("Roles or permissions changed")
    VIEWED = "viewed", _("Viewed")
    REVEALED = "revealed", _("Revealed a full number")
    SEARCHED = "searched", _("Searched by ID or phone")
    EXPORTED = "exported", _("Exported")
    API_READ = "api_read", _("Read through the API")
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    DELETED = "deleted", _("Deleted")
    ARCHIVED = "archived", _("Archived audit rows")


class Outcome(models.TextChoices):
    OK = "ok", _("Succeeded")
    FAILED = "failed", _("Failed")
    REFUSED = "refused", _("Refused")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit rows are never changed.")

    def delete(self):
        raise TypeError("Audit rows are never deleted (audit.archive moves old ones out).")

    _raw_delete = delete


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # Not a foreign key: a row outlives whatever it names, and a user's row must not stop
    # the user's deactivation or hold a lock on the user table.
    user_id = models.BigIntegerField(_("user ID"), null=True, blank=True, db_index=True)
    username = models.CharField(_("user"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    # "households.member", never the number itself.
    target_type = models.CharField(_("what"), max_length=64, blank=True)
    target_ids = models.JSONField(_("which"), default=list, blank=True)
    # The first of target_ids as text, indexed with target_type: "who read this household
    # this month" is one index range at millions of rows, on SQLite too (which has no JSON
    # containment lookup). A row about several records (an export) names them all in
    # target_ids; it is found by its first here.
    target_id = models.CharField(_("record ID"), max_length=64, blank=True, editable=False)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.OK)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    previous_hash = models.CharField(_("hash of the row before"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        default_permissions = ["view"]
        indexes = [
            models.Index(fields=["target_type", "at"]),
            models.Index(fields=["target_type", "target_id", "at"]),
            models.Index(fields=["username", "at"]),
        ]

    def __str__(self):
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit rows are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit rows are never deleted (audit.archive moves old ones out).")

    def canonical(self) -> bytes:
        """What the hash covers, byte for byte the same on every database. Not the id:
        the row before is named by its hash, so the order is the chain's own."""

        return json.dumps(
            [
                self.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
                self.user_id,
                self.username,
                self.address,
                self.action,
                self.target_type,
                self.target_ids,
                self.target_id,
                self.outcome,
                self.detail,
                self.previous_hash,
            ],
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        ).encode()

    def as_record(self) -> dict:
        """The row as an archive line: what the hash covers, its id and its hash."""
        return {
            "id": self.pk,
            "at": self.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
            "user_id": self.user_id,
            "username": self.username,
            "address": self.address,
            "action": self.action,
            "target_type": self.target_type,
            "target_ids": self.target_ids,
            "target_id": self.target_id,
            "outcome": self.outcome,
            "detail": self.detail,
            "previous_hash": self.previous_hash,
            "hash": self.hash,
        }

    @classmethod
    def from_record(cls, line: dict) -> "AuditEvent":
        """An archive line back as an (unsaved) row, to recompute its hash."""
        return cls(**{**line, "at": datetime.datetime.fromisoformat(line["at"])})


GENESIS = "0" * 64
AUDIT_KEY_SETTING = "AUDIT_KEY"


def audit_key() -> bytes:
    return (getattr(settings, AUDIT_KEY_SETTING, "") or settings.SECRET_KEY).encode()
