"""Spotting resident ID and mobile numbers in text that must not carry them: a URL's query
string, a log line.

By shape only, check digit or not: a mistyped ID number is still somebody's, nearly.
Full-width digits (a Chinese input method's) count as digits, since the validators
store them as ASCII (common.validators).
"""

import re
import unicodedata

# A first-generation (15 digits) or current (17 digits and a digit or X) ID number, or a
# mainland mobile number, standing alone: not inside a longer run of digits (a timestamp
# in milliseconds, a 20-digit reference) nor glued to a letter of a code.
PERSONAL_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9})(?![0-9A-Za-z])",
)
MASK = "***"


def _ascii_digits(text: str) -> str:
    # NFKC turns full-width ０-９ and Ｘ into ASCII, one character for one, so that
    # positions stay the same.
    return unicodedata.normalize("NFKC", text)


def carries_personal_number(text: str) -> bool:
    """Whether ``text`` holds something shaped like an ID or mobile number."""
    return bool(PERSONAL_NUMBER.search(_ascii_digits(text)))


def mask_personal_numbers(text: str) -> str:
    """``text`` with every ID- or mobile-shaped number replaced by ``***``."""
    normalised = _ascii_digits(text)
    if normalised == text:
        return PERSONAL_NUMBER.sub(MASK, text)
    # Other characters NFKC changes (ligatures, compatibility forms) are kept as written;
    # only the numbers found in the normalised text are masked.
    if len(normalised) != len(text):
        return PERSONAL_NUMBER.sub(MASK, normalised)
    out, last = [], 0
    for found in PERSONAL_NUMBER.finditer(normalised):
        out += [text[last : found.start()], MASK]
        last = found.end()
    return "".join([*out, text[last:]])
