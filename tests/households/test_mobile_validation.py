"""Mainland mobile numbers are stored as 11 digits."""

import pytest
from django.core.exceptions import ValidationError

from common.validators import normalize_mobile, validate_mobile


@pytest.mark.parametrize(
    "raw", ["13800138000", "+86 138 0013 8000", "138-0013-8000", "0086 13800138000", "+86-138-0013-8000"]
)
def test_it_strips_the_country_code_spaces_and_hyphens(raw):
    assert normalize_mobile(raw) == "13800138000"
    validate_mobile(raw)


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "138001380001", "0871-6543210", "abc"])
def test_it_refuses_what_is_not_a_mobile_number(raw):
    with pytest.raises(ValidationError) as raised:
        validate_mobile(raw)

    assert raw not in raised.value.messages[0]
