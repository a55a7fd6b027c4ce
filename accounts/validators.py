"""Password rules of 等保 level 3 (身份鉴别 a): long, mixed, and not one used lately.

Listed in AUTH_PASSWORD_VALIDATORS, so that every form that sets a password (the change
page, the admin's, createsuperuser) applies them, and Django tells
``PasswordHistoryValidator.password_changed`` of every new password.
"""

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import PasswordHistory

KINDS = {
    "upper": lambda c: c.isupper(),
    "lower": lambda c: c.islower(),
    "digit": lambda c: c.isdigit(),
    "symbol": lambda c: c in string.punctuation or c == " ",
}


class LengthValidator:
    def __init__(self, min_length: int = 10):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                ngettext(
                    "The password must have at least %(min_length)d character.",
                    "The password must have at least %(min_length)d characters.",
                    self.min_length,
                ),
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self):
        return ngettext(
            "At least %(min_length)d character.", "At least %(min_length)d characters.", self.min_length
        ) % {"min_length": self.min_length}


class CharacterKindsValidator:
    """At least three of: capital letters, small letters, digits, symbols."""

    def __init__(self, min_kinds: int = 3):
        self.min_kinds = min_kinds

    def validate(self, password, user=None):
        kinds = sum(any(test(c) for c in password) for test in KINDS.values())
        if kinds < self.min_kinds:
            raise ValidationError(
                _(
                    "The password must mix at least %(min_kinds)d of: capital letters, small letters, "
                    "digits and symbols."
                ),
                code="password_too_simple",
                params={"min_kinds": self.min_kinds},
            )

    def get_help_text(self):
        return _("At least %(min_kinds)d of: capital letters, small letters, digits and symbols.") % {
            "min_kinds": self.min_kinds
        }


class PasswordHistoryValidator:
    """Not one of the user's last ``count`` passwords; records each new one."""

    def __init__(self, count: int = 5):
        self.count = count

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        hashes = list(
            PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count]
        )
        # Users from before the history began have only their current password.
        if user.password and not hashes:
            hashes = [user.password]
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                ngettext(
                    "The password must differ from your last password.",
                    "The password must differ from your last %(count)d passwords.",
                    self.count,
                ),
                code="password_reused",
                params={"count": self.count},
            )

    def get_help_text(self):
        return ngettext("Not your last password.", "None of your last %(count)d passwords.", self.count) % {
            "count": self.count
        }

    def password_changed(self, password, user=None):
        from accounts.passwords import password_was_set

        if user is not None and user.pk is not None:
            password_was_set(user)
