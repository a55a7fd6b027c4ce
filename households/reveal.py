"""Revealing one member's full ID number on the card, for a reason (PIPL's purpose limitation).

The card shows every number masked, to everyone. A holder of ``households.view_id_number``
reveals one member's number by typing why; the reveal is recorded with its reason. The form
carries a one-time token signed for the user, the member and the time it was drawn, so that
a reveal cannot be forged (another member, another user), replayed (a browser's "resend", a
copied request) or used long after the card was opened.
"""

import secrets
import unicodedata

from django import forms
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

REVEAL_SALT = "households.reveal"
REVEAL_MAX_AGE = 10 * 60  # seconds: a card left open longer is opened again
REASON_MIN_LENGTH = 4  # "入户核实": four characters say why; "看看" does not
REASON_MAX_LENGTH = 200


NOT_VALID = _("This form is not valid. Open the card again to reveal the number.")


class RevealRefused(Exception):
    """A reveal's token that does not hold; ``refusal`` is what the audit row says."""

    def __init__(self, refusal: str, message):
        super().__init__(refusal)
        self.refusal = refusal
        self.message = message


def reveal_token(*, user, member) -> str:
    """A token for one reveal of ``member``'s number by ``user``, good for REVEAL_MAX_AGE."""
    return signing.dumps({"u": user.pk, "m": member.pk, "n": secrets.token_urlsafe(16)}, salt=REVEAL_SALT)


def use_reveal_token(token: str, *, user, member) -> None:
    """Check ``token`` and spend it, or raise RevealRefused."""
    try:
        claims = signing.loads(token, salt=REVEAL_SALT, max_age=REVEAL_MAX_AGE)
    except signing.SignatureExpired:
        raise RevealRefused(
            "expired", _("This form has expired. Open the card again to reveal the number.")
        ) from None
    except signing.BadSignature:
        raise RevealRefused("forged", NOT_VALID) from None
    if not isinstance(claims, dict) or claims.get("u") != user.pk or claims.get("m") != member.pk:
        raise RevealRefused("forged", NOT_VALID)
    # Spent once, atomically (cache.add only sets a key that is not there), and kept as long
    # as the token could still be accepted. Shared by every process when CACHE_URL is set.
    if not cache.add(f"households:reveal:{claims.get('n')}", 1, timeout=REVEAL_MAX_AGE + 60):
        raise RevealRefused(
            "reused", _("This form has been used already. Open the card again to reveal the number.")
        )


def validate_reason(value: str) -> None:
    """A reason says something: not blank, not "1111" or "...."."""
    meaningful = [c for c in value if not c.isspace() and not unicodedata.category(c).startswith(("P", "S"))]
    if len(meaningful) < REASON_MIN_LENGTH or len(set(meaningful)) < 2:
        raise ValidationError(
            _("Say why you need the full number, in at least %(count)s characters."),
            code="reason",
            params={"count": REASON_MIN_LENGTH},
        )


class RevealForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=500)
    reason = forms.CharField(
        label=_("Why do you need the full number?"),
        max_length=REASON_MAX_LENGTH,
        validators=[validate_reason],
        widget=forms.TextInput(
            attrs={
                "placeholder": _("e.g. checking identity for a subsistence allowance"),
                "autocomplete": "off",
            }
        ),
        error_messages={"required": _("Say why you need the full number.")},
    )
