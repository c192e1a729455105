"""Ticketnet's rules, as the simulator enforces them: codes, performance codes, seats, series.

Every refusal is a SimulatorError with a stable code and an English message saying what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_DIGITS = re.compile(r"[0-9]+")
# The guide's rule for non-numbered zones: a seat series of rows of 1000 seats. It mirrors
# `catalog/series.py`'s SERIES_ROW_LENGTH, shared by definition (the bridge exports the places
# Ticketnet sells); the simulator stands in for Ticketnet and imports nothing from the apps,
# so this is its one copy: every series rule of the simulator reads it from here.
SERIES_ROW_LENGTH = 1000
MAX_PERFORMANCE_CODE = 10


class SimulatorError(Exception):
    """Ticketnet refuses: `code` is stable (see docs/ticketnet-contract.md), `message` is for
    people."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def check_code(value: str | None, what: str) -> str:
    """Ticketnet codes are integers of fewer than ten digits (1 to 999999999), written without
    leading zeros. Returns the code."""
    if value is None or value.strip() == "":
        raise SimulatorError("INVALID_CODE", f"The {what} is missing: send an integer code "
                                             "from 1 to 999999999.")
    if "_" in value:
        before, _sep, after = value.partition("_")
        raise SimulatorError(
            "INVALID_CODE",
            f"The {what} “{value}” is a double code: send “{before}” as the manifestation code "
            f"and “{after}” as the performance code.",
        )
    if not _DIGITS.fullmatch(value):
        raise SimulatorError(
            "INVALID_CODE",
            f"The {what} “{value}” is not an integer: Ticketnet codes are integers from 1 to "
            "999999999.",
        )
    if len(value.lstrip("0")) >= 10:
        raise SimulatorError(
            "CODE_TOO_LONG",
            f"The {what} “{value}” has {len(value.lstrip('0'))} digits: Ticketnet codes have "
            "fewer than ten digits.",
        )
    if int(value) == 0:
        raise SimulatorError("INVALID_CODE", f"The {what} “{value}” is zero: Ticketnet codes "
                                             "start at 1.")
    if value[0] == "0":
        raise SimulatorError(
            "LEADING_ZERO",
            f"The {what} “{value}” starts with a zero: write it without leading zeros "
            f"(“{value.lstrip('0')}”).",
        )
    return value


def check_performance_code(value: str | None) -> str:
    """The part after `_` of a double code, or YYMMDDHHMM: digits, at most 10 characters."""
    if value is None or value.strip() == "":
        raise SimulatorError("INVALID_PERFORMANCE_CODE",
                             "The performance code is missing: send up to 10 digits, for "
                             "example 1709052030.")
    if len(value) > MAX_PERFORMANCE_CODE:
        raise SimulatorError(
            "PERFORMANCE_CODE_TOO_LONG",
            f"The performance code “{value}” has {len(value)} characters: Ticketnet accepts at "
            "most 10 characters after “_”.",
        )
    if not _DIGITS.fullmatch(value):
        raise SimulatorError(
            "INVALID_PERFORMANCE_CODE",
            f"The performance code “{value}” is not made of digits: use the performance start "
            "as YYMMDDHHMM, for example 1709052030.",
        )
    return value


def check_seat_number(value: str | int | None, what: str) -> int:
    """Rows and seat numbers are positive integers written without leading zeros."""
    text = "" if value is None else str(value).strip()
    if not _DIGITS.fullmatch(text) or int(text) == 0:
        raise SimulatorError(
            "INVALID_SEAT",
            f"The {what} “{text}” is not a positive integer: Ticketnet seat plans number rows "
            "and seats 1, 2, 3…",
        )
    if text[0] == "0":
        raise SimulatorError(
            "LEADING_ZERO",
            f"The {what} “{text}” starts with a zero: Ticketnet's plan numbers rows and seats "
            f"without leading zeros (write “{text.lstrip('0')}”).",
        )
    if len(text) >= 10:
        raise SimulatorError("INVALID_SEAT", f"The {what} “{text}” is too large.")
    return int(text)


def series_rows(capacity: int) -> list[int]:
    """The length of each row of a seat series: full rows, the last one holding the rest."""
    if capacity <= 0:
        return []
    full, rest = divmod(capacity, SERIES_ROW_LENGTH)
    return [SERIES_ROW_LENGTH] * full + ([rest] if rest else [])


def series_seats(capacity: int) -> Iterator[tuple[int, int]]:
    """(row, number) of every seat of a series: 2500 → 1-1…1-1000, 2-1…2-1000, 3-1…3-500."""
    for row, length in enumerate(series_rows(capacity), start=1):
        for number in range(1, length + 1):
            yield row, number


def in_series(capacity: int, row: int, number: int) -> bool:
    rows = series_rows(capacity)
    return 1 <= row <= len(rows) and 1 <= number <= rows[row - 1]
