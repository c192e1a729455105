from hypothesis import given
from hypothesis import strategies as st

from catalog.series import describe_series, seat_series, series_contains


def test_the_guides_example():
    seats = list(seat_series(2500))
    assert seats[0] == (1, 1)
    assert seats[999] == (1, 1000)
    assert seats[1000] == (2, 1)
    assert seats[-1] == (3, 500)
    assert len(seats) == 2500
    description = describe_series(2500)
    assert (description.rows, description.last_row_length) == (3, 500)
    assert description.ranges() == ["1-1…1-1000", "2-1…2-1000", "3-1…3-500"]
    assert "3-1…3-500" in str(description)


def test_exact_rows_and_empty():
    assert describe_series(2000).ranges() == ["1-1…1-1000", "2-1…2-1000"]
    assert list(seat_series(0)) == []
    assert describe_series(0).rows == 0


@given(st.integers(min_value=0, max_value=12_000))
def test_series_properties(capacity):
    seats = list(seat_series(capacity))
    assert len(seats) == capacity
    assert len(set(seats)) == capacity
    assert all(1 <= number <= 1000 and row >= 1 for row, number in seats)
    assert seats == sorted(seats)
    description = describe_series(capacity)
    if capacity:
        assert description.rows == -(-capacity // 1000)
        assert seats[-1] == (description.rows, description.last_row_length)
        assert 1 <= description.last_row_length <= 1000
        # Rows are full but the last: 1000 seats each.
        assert sum(1 for row, _n in seats if row == 1) == min(capacity, 1000)


@given(st.integers(min_value=0, max_value=5000), st.integers(-2, 7), st.integers(-2, 1002))
def test_contains_matches_the_series(capacity, row, number):
    assert series_contains(capacity, row, number) == ((row, number) in set(seat_series(capacity)))
