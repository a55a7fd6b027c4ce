"""Checks of what people type: resident ID numbers (GB 11643-1999), mainland mobile
numbers, dates, names and the length of free text.

Error messages never repeat the value: ID and phone numbers must not reach logs.
"""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
# ASCII digits only: Python's \d and str.isdigit also take Arabic-Indic, Devanagari and
# other digits, and a number stored in those is another string to the database's unique
# constraint: the same person could be registered twice.
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_MOBILE_SHAPE = re.compile(r"1[3-9][0-9]{9}")
# What a Chinese input method types in full-width mode: the same digits, so made ASCII.
# Any other script's digits are refused (see _foreign_digits), never guessed at.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ＋－\u3000", "0123456789XX+- ")


def normalize_resident_id(value: str) -> str:
    return (value or "").translate(_FULL_WIDTH).strip().replace(" ", "").upper()


def _foreign_digits(value: str) -> bool:
    """Digits of another script than ASCII's (٣, ३, ...), which int() would read."""
    return any(not ch.isascii() and unicodedata.category(ch) == "Nd" for ch in value)


def _refuse_foreign_digits(value: str, message) -> None:
    if _foreign_digits(value):
        raise ValidationError(message, code="digits")


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
    _refuse_foreign_digits(value, _("Type the ID number with the digits 0 to 9 (and X)."))
    if len(value) == 15 and value.isascii() and value.isdigit():
        raise ValidationError(
            _(
                "This is a 15-digit first-generation ID number; enter the 18-character "
                "second-generation number instead."
            ),
            code="first_generation",
        )
    if len(value) != 18:
        raise ValidationError(_("A resident ID number has 18 characters."), code="length")
    if not _ID_SHAPE.fullmatch(value):
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
    """Store mobile numbers as 11 digits: drop +86/0086, spaces and hyphens; full-width
    digits typed by a Chinese input method become ASCII ones."""
    digits = re.sub(r"[\s\-()]", "", (value or "").translate(_FULL_WIDTH))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def validate_mobile(value: str) -> None:
    value = normalize_mobile(value)
    _refuse_foreign_digits(value, _("Type the mobile number with the digits 0 to 9."))
    if not _MOBILE_SHAPE.fullmatch(value):
        raise ValidationError(
            _("Enter a mainland mobile number: 11 digits starting with 13 to 19."), code="mobile"
        )


def validate_not_future(value: datetime.date) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future")


EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
# 易地扶贫搬迁 began with the national pilots of 2001: no family moved into a relocation
# settlement before that, so an earlier move-in (1900, a spreadsheet's day zero, a year
# typed short) is a slip, not history.
EARLIEST_RELOCATION = datetime.date(2001, 1, 1)


def validate_birth_date(value: datetime.date) -> None:
    validate_not_future(value)
    if value and value < EARLIEST_BIRTH_DATE:
        raise ValidationError(_("A birth date is 1 January 1900 or later; check the year."), code="too_early")


def validate_relocation_date(value: datetime.date) -> None:
    validate_not_future(value)
    if value and value < EARLIEST_RELOCATION:
        raise ValidationError(
            _("Relocation settlements took in their first families in 2001; check the year."),
            code="too_early",
        )


# Free text people type: room for a careful note or reason, far short of the 2,000,000
# characters once saved as a visit's notes. A TextField's max_length binds only its form
# field, so each such field also carries a MaxLengthValidator: full_clean, the API and
# the services refuse too.
NOTE_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 500
# A reason as recorded may quote a typed one with something in front: the proposer of an
# approved change ("Proposed by …: …"), the warning a proposal came from.
RECORDED_REASON_MAX_LENGTH = 2 * REASON_MAX_LENGTH


def field_errors(model, **values) -> dict[str, list[str]]:
    """What the validators of ``model``'s fields say of these values (a length, a shape),
    by field, for a row a service writes without ``full_clean``: ``{}`` when all is well."""
    errors = {}
    for name, value in values.items():
        try:
            field = model._meta.get_field(name)
            field.run_validators(field.to_python(value))
        except ValidationError as error:
            errors[name] = error.messages
    return errors


# Names people type. Format characters (zero-width spaces and joiners, bidirectional
# overrides and isolates, the byte-order mark) and controls draw nothing or reorder what is
# drawn: a name of them alone looks empty on every page, one that carries them reads other
# than it is stored (张\u200b三 is not 张三 to a search, a duplicate check or a ledger).
# A few letters are drawn blank as well (Hangul fillers, the braille blank). Private-use
# characters stay allowed: the police's registers encode rare characters of names there.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def validate_name(value: str) -> None:
    if not value:
        return
    if any(unicodedata.category(ch) in ("Cf", "Cc") for ch in value):
        raise ValidationError(
            _(
                "This contains invisible characters (zero-width spaces, joiners or marks "
                "that turn the direction of the text); type it again without them."
            ),
            code="invisible",
        )
    if all(ch.isspace() or ch in _BLANK_LETTERS for ch in value):
        raise ValidationError(_("Type the name in visible characters."), code="blank")
