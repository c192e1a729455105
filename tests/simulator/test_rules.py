"""Ticketnet's rules as the simulator applies them, checked over whole input spaces."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ticketnet_simulator.rules import (
    SimulatorError,
    check_code,
    check_performance_code,
    check_seat_number,
    in_series,
    series_rows,
    series_seats,
)


@given(st.integers(min_value=1, max_value=999_999_999))
def test_every_code_of_fewer_than_ten_digits_is_accepted(number):
    assert check_code(str(number), "zone code") == str(number)


@given(st.integers(min_value=1_000_000_000, max_value=10**15))
def test_codes_of_ten_digits_or_more_are_refused(number):
    with pytest.raises(SimulatorError) as error:
        check_code(str(number), "zone code")
    assert error.value.code == "CODE_TOO_LONG"
    assert "fewer than ten digits" in error.value.message


@given(st.integers(min_value=1, max_value=99_999_999), st.integers(min_value=1, max_value=3))
def test_leading_zeros_are_refused_with_the_code_to_write(number, zeros):
    with pytest.raises(SimulatorError) as error:
        check_code("0" * zeros + str(number), "zone code")
    assert error.value.code == "LEADING_ZERO"
    assert f"“{number}”" in error.value.message


@given(st.text(min_size=1).filter(lambda s: not s.isascii() or not s.isdigit()))
def test_anything_but_digits_is_refused(text):
    with pytest.raises(SimulatorError) as error:
        check_code(text, "hall code")
    assert error.value.code in {"INVALID_CODE", "LEADING_ZERO", "CODE_TOO_LONG"}


def test_a_double_code_is_explained():
    with pytest.raises(SimulatorError) as error:
        check_code("1701_1709052030", "manifestation code")
    assert "“1701” as the manifestation code" in error.value.message


@given(st.from_regex(r"[0-9]{1,10}", fullmatch=True))
def test_performance_codes_up_to_ten_digits_are_accepted(code):
    assert check_performance_code(code) == code


@given(st.from_regex(r"[0-9]{11,20}", fullmatch=True))
def test_performance_codes_over_ten_characters_are_refused(code):
    with pytest.raises(SimulatorError) as error:
        check_performance_code(code)
    assert error.value.code == "PERFORMANCE_CODE_TOO_LONG"
    assert "at most 10 characters after “_”" in error.value.message


@given(st.integers(min_value=1, max_value=999_999))
def test_seat_numbers_are_integers_without_leading_zeros(number):
    assert check_seat_number(str(number), "row") == number
    assert check_seat_number(number, "row") == number
    with pytest.raises(SimulatorError) as error:
        check_seat_number(f"0{number}", "row")
    assert error.value.code == "LEADING_ZERO"


@pytest.mark.parametrize("value", ["0", "", "A", "-1", "1.5", None])
def test_seat_numbers_must_be_positive_integers(value):
    with pytest.raises(SimulatorError) as error:
        check_seat_number(value, "seat number")
    assert error.value.code == "INVALID_SEAT"


def test_the_guides_example_series():
    assert series_rows(2500) == [1000, 1000, 500]
    seats = list(series_seats(2500))
    assert seats[0] == (1, 1) and seats[999] == (1, 1000) and seats[1000] == (2, 1)
    assert seats[-1] == (3, 500)


@given(st.integers(min_value=0, max_value=25_000))
def test_a_series_holds_exactly_its_capacity_in_rows_of_1000(capacity):
    rows = series_rows(capacity)
    assert sum(rows) == capacity
    assert all(length == 1000 for length in rows[:-1])
    assert not rows or 1 <= rows[-1] <= 1000
    assert len(rows) == -(-capacity // 1000)


@given(st.integers(min_value=1, max_value=5000), st.integers(min_value=0, max_value=8),
       st.integers(min_value=0, max_value=1001))
def test_in_series_agrees_with_the_seats_of_the_series(capacity, row, number):
    expected = (row, number) in set(series_seats(capacity))
    assert in_series(capacity, row, number) is expected
