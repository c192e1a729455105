"""Seat series of non-numbered zones: Ticketnet sells only numbered seats, so a zone of N
places is sold as rows 1…⌈N/1000⌉ of 1000 seats, the last row holding the rest."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SERIES_ROW_LENGTH = 1000


def seat_series(capacity: int, row_length: int = SERIES_ROW_LENGTH) -> Iterator[tuple[int, int]]:
    """Every (row, number) of the series, in order: 2500 → (1, 1)…(1, 1000), (2, 1)…(3, 500)."""
    if capacity < 0:
        raise ValueError("capacity must not be negative")
    full_rows, rest = divmod(capacity, row_length)
    for row in range(1, full_rows + 1):
        for number in range(1, row_length + 1):
            yield row, number
    for number in range(1, rest + 1):
        yield full_rows + 1, number


def series_contains(capacity: int, row: int, number: int,
                    row_length: int = SERIES_ROW_LENGTH) -> bool:
    """Whether (row, number) is a seat of the series, without walking it. The one test of a
    series place: the sales resolver checks a zone's capacity with it, the engine a quota's."""
    if row < 1 or number < 1 or number > row_length:
        return False
    return (row - 1) * row_length + number <= capacity


@dataclass(frozen=True)
class SeriesDescription:
    capacity: int
    rows: int
    last_row_length: int
    row_length: int = SERIES_ROW_LENGTH

    def ranges(self) -> list[str]:
        """The series as Ticketnet's plan needs it: `1-1…1-1000`, …, `3-1…3-500`."""
        if not self.capacity:
            return []
        full = self.rows if self.last_row_length == self.row_length else self.rows - 1
        out = [f"{row}-1…{row}-{self.row_length}" for row in range(1, full + 1)]
        if full < self.rows:
            out.append(f"{self.rows}-1…{self.rows}-{self.last_row_length}")
        return out

    def __str__(self) -> str:
        if not self.capacity:
            return _("No places.")
        ranges = self.ranges()
        if len(ranges) > 4:
            ranges = [*ranges[:2], "…", *ranges[-2:]]
        return ngettext(
            "%(rows)d row, the last of %(last)d seats: %(ranges)s",
            "%(rows)d rows of %(length)d seats, the last of %(last)d: %(ranges)s",
            self.rows,
        ) % {
            "rows": self.rows,
            "length": self.row_length,
            "last": self.last_row_length,
            "ranges": ", ".join(ranges),
        }


def describe_series(capacity: int, row_length: int = SERIES_ROW_LENGTH) -> SeriesDescription:
    """Rows and the last row's length of the series of `capacity` places."""
    if capacity <= 0:
        return SeriesDescription(capacity=0, rows=0, last_row_length=0, row_length=row_length)
    rows = -(-capacity // row_length)
    return SeriesDescription(
        capacity=capacity,
        rows=rows,
        last_row_length=capacity - (rows - 1) * row_length,
        row_length=row_length,
    )
