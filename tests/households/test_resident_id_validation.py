"""Resident ID numbers: GB 11643-1999 check digit, real birth dates, 18 characters."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from common.validators import normalize_resident_id, resident_id_check_char, validate_resident_id


@pytest.mark.parametrize("value", ["11010519491231002X", "440524188001010014", "11010519491231002x"])
def test_it_accepts_valid_numbers(value):
    assert validate_resident_id(value) is None
    assert resident_id_check_char(normalize_resident_id(value)[:17]) == normalize_resident_id(value)[17]


@pytest.mark.parametrize("value", ["110105194912310021", "440524188001010015"])
def test_it_refuses_a_wrong_check_digit(value):
    with pytest.raises(ValidationError) as raised:
        validate_resident_id(value)

    assert raised.value.code == "check"


def test_it_refuses_a_first_generation_number_and_says_so():
    with translation.override("en"):
        with pytest.raises(ValidationError) as raised:
            validate_resident_id("110105491231002")

        assert raised.value.code == "first_generation"
        assert "15-digit" in str(raised.value.messages[0])


@pytest.mark.parametrize("value", ["1101051949123100", "11010519491231002XX", ""])
def test_it_refuses_a_wrong_length(value):
    with pytest.raises(ValidationError) as raised:
        validate_resident_id(value)

    assert raised.value.code == "length"


@pytest.mark.parametrize("value", ["110105194902301234", "110105194913011234"])
def test_it_refuses_an_impossible_birth_date(value):
    with pytest.raises(ValidationError) as raised:
        validate_resident_id(value)

    assert raised.value.code == "date"


def test_it_refuses_letters_in_the_digits():
    with pytest.raises(ValidationError) as raised:
        validate_resident_id("11010519491A31002X")

    assert raised.value.code == "shape"


def test_its_messages_never_repeat_the_number():
    with pytest.raises(ValidationError) as raised:
        validate_resident_id("110105194912310021")

    assert "110105194912310021" not in " ".join(raised.value.messages)


def test_the_message_is_in_chinese_by_default():
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as raised:
            validate_resident_id("110105194912310021")

        assert "校验码" in str(raised.value.messages[0])


def test_it_normalizes_spaces_and_a_lowercase_x():
    assert normalize_resident_id(" 110105 19491231002x ") == "11010519491231002X"
