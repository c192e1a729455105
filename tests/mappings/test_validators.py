import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from mappings.validators import (
    normalize_code,
    validate_code,
    validate_double_code,
    validate_tariff_codes,
)

codes = st.integers(min_value=1, max_value=999_999_999).map(str)


def _messages(validator, value):
    with pytest.raises(ValidationError) as exc:
        validator(value)
    return " ".join(exc.value.messages)


@given(codes)
def test_every_integer_from_1_to_999999999_is_a_code(code):
    validate_code(code)
    assert normalize_code(code.zfill(12)) == code


@given(st.integers(min_value=1_000_000_000, max_value=10**15).map(str))
def test_ten_digits_and_more_are_refused(code):
    assert "at most 9" in _messages(validate_code, code)


@given(codes, st.integers(min_value=1, max_value=3))
def test_leading_zeros_say_what_to_enter(code, zeros):
    message = _messages(validate_code, "0" * zeros + code)
    assert f"enter {int(code)}" in message


@given(st.text(min_size=1).filter(lambda s: not (s.isascii() and s.isdigit())))
def test_anything_but_digits_is_refused(value):
    with pytest.raises(ValidationError):
        validate_code(value)


@pytest.mark.parametrize("value,expected", [
    ("0101", "enter 101"), ("0", "zero"), ("", "Enter a code"), ("12a", "not a whole number"),
    (" 12", "spaces"), ("-5", "not a whole number"), ("1.5", "not a whole number"),
    ("１２", "not a whole number"),
])
def test_bad_codes_messages(value, expected):
    assert expected in _messages(validate_code, value)


@given(st.lists(codes, min_size=1, max_size=6, unique=True))
def test_tariff_codes_accept_unique_lists(parts):
    validate_tariff_codes("|".join(parts))


@pytest.mark.parametrize("value,expected", [
    ("15||22", "empty code"), ("15|20|15", "written twice"), ("15|020", "enter 20"),
    ("|15", "empty code"), ("15|x", "not a whole number"),
])
def test_bad_tariff_codes(value, expected):
    assert expected in _messages(validate_tariff_codes, value)


@given(codes, st.text(alphabet="0123456789", min_size=1, max_size=10))
def test_double_codes(manifestation, performance):
    validate_double_code(f"{manifestation}_{performance}")


@pytest.mark.parametrize("value,expected", [
    ("1701", "not a double code"), ("1701_17090520301", "at most 10"),
    ("01701_1709052030", "enter 1701"), ("1701_", "performance's code"),
    ("1701_17_09", "not a double code"), ("_1709052030", "Before"),
    # Letters were accepted after "_" before issue 10 (1701_ABC): digits only now.
    ("1701_17 09", "digits only"), ("1701_ABC", "digits only"),
])
def test_bad_double_codes(value, expected):
    assert expected in _messages(validate_double_code, value)


@given(codes, st.text(min_size=11, max_size=20, alphabet="0123456789"))
def test_more_than_ten_characters_after_underscore_refused(manifestation, performance):
    assert "at most 10" in _messages(validate_double_code, f"{manifestation}_{performance}")


def test_messages_in_french():
    from django.utils import translation

    with translation.override("fr"):
        message = _messages(validate_code, "0101")
    assert "101" in message and "zéro" in message
