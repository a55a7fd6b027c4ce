"""Resident ID numbers (GB 11643-1999) and mainland mobile numbers.

Error messages never repeat the value: ID and phone numbers must not reach logs.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_SHAPE = re.compile(r"^1[3-9]\d{9}$")


def normalize_resident_id(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def resident_id_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK_CHARS[total % 11]


def resident_id_birth_date(value: str) -> datetime.date | None:
    """The birth date encoded in an 18-character ID number, or None if impossible."""
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def resident_id_is_male(value: str) -> bool:
    # GB 11643: the 17th character, the sequence code, is odd for men and even for women.
    return int(value[16]) % 2 == 1


def validate_resident_id(value: str) -> None:
    value = normalize_resident_id(value)
    if len(value) == 15 and value.isdigit():
        raise ValidationError(
            _(
                "This is a 15-digit first-generation ID number; enter the 18-character "
                "second-generation number instead."
            ),
            code="first_generation",
        )
    if len(value) != 18:
        raise ValidationError(_("A resident ID number has 18 characters."), code="length")
    if not _ID_SHAPE.match(value):
        raise ValidationError(_("A resident ID number is 17 digits followed by a digit or X."), code="shape")
    born = resident_id_birth_date(value)
    if born is None or born.year < 1880:
        raise ValidationError(_("The birth date inside the ID number does not exist."), code="date")
    if born > timezone.localdate():
        raise ValidationError(_("The birth date inside the ID number is in the future."), code="date")
    if resident_id_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The check digit of the ID number is wrong; the number was mistyped."), code="check"
        )


def normalize_mobile(value: str) -> str:
    """Store mobile numbers as 11 digits: drop +86/0086, spaces and hyphens."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def validate_mobile(value: str) -> None:
    if not _MOBILE_SHAPE.match(normalize_mobile(value)):
        raise ValidationError(
            _("Enter a mainland mobile number: 11 digits starting with 13 to 19."), code="mobile"
        )


def validate_not_future(value: datetime.date) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future")
