"""The statement's bulk reader: `statement_read`'s twin for the reconciliation of a million
records, yielding plain tuples (no dataclass, no buyer) with the same lines read, skipped and
refused, and the same errors (a property test holds them equal)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

from .statement import (
    _AMOUNT_FORMS,
    LAYOUT,
    RECORD_LENGTHS,
    AmountNotation,
    StatementError,
    StatementLine,
    StatementProblem,
    StatementReport,
    _check_keys,
    _date,
    _decode,
    _line,
    _number,
    read_lines,
)

# The fields `statement_rows` reads: those of a record without buyer, up to the ticket id.
_FIELDS_FOR_ROWS = re.compile("".join(f"(.{{{e - s}}})" for name, s, e in LAYOUT
                                      if e <= 90), re.DOTALL)


def statement_rows(stream: BinaryIO, *, amount_notation: AmountNotation,
                   report: StatementReport) -> Iterator[tuple]:
    """`statement_read`'s bulk twin (a million records for the reconciliation): the same lines
    read, skipped and refused with the same errors, each record as a plain tuple of what a
    comparison needs, without the buyer — (line number, ticket id, cancelled, performance
    time as 'YYYY-MM-DD HH:MM', category, price code, zone, row, seat, amount in cents,
    currency). Collecting mode only. A record's fields are cut and checked as `_record`
    does; anything unusual (a line that is not a whole record) goes through `_line`."""
    notation = _AMOUNT_FORMS[amount_notation].fullmatch
    dates: dict[str, datetime] = {}
    iso: dict[str, str] = {}
    strip = str.strip

    def decide(number: int, raw: bytes | None, ended: bool) -> tuple | None:
        if raw is not None and ended and b"\r" not in raw:
            text, utf8 = _decode(number, raw)
            if len(text) in RECORD_LENGTHS:
                report.utf8_lines += utf8
                return _record_fields(number, text, notation, amount_notation, dates, iso,
                                      strip)
        # Not a whole record: _line's own checks (it counts UTF-8 itself).
        line = _line(number, raw, ended, amount_notation, dates, report)
        return None if line is None else _line_fields(line)

    return read_lines(stream, report, strict=False, decide=decide)


def _line_fields(line: StatementLine) -> tuple:
    return (line.line_number, line.ticket_id, line.cancelled,
            line.performance_at.strftime("%Y-%m-%d %H:%M"), line.category, line.price_code,
            line.zone, line.row, line.seat, line.amount_cents, line.currency)


def _record_fields(number: int, text: str, notation, amount_notation: AmountNotation,
                   dates: dict[str, datetime], iso: dict[str, str], strip) -> tuple:
    """`_record`'s checks, in its order, on the first 106 characters (the buyer block is not
    checked there either)."""
    (_label, date, flag, category, price_code, _fiscal, zone, row, seat, amount, currency,
     ticket_id) = _FIELDS_FOR_ROWS.match(text).groups()
    date = strip(date)
    when = iso.get(date)
    if when is None:
        performance_at = _date(number, date)
        if len(iso) > 4096:
            iso.clear()
        when = iso[date] = performance_at.strftime("%Y-%m-%d %H:%M")
    flag = strip(flag)
    if flag not in ("A", ""):
        raise StatementError(number, StatementProblem.CANCELLATION_FLAG, {"value": flag})
    amount = strip(amount)
    matched = notation(amount)
    if matched is None:
        raise StatementError(number, StatementProblem.AMOUNT, {
            "value": amount, "notation": amount_notation.value})
    sign, units, hundredths = matched.groups()
    cents = int(units + hundredths)
    currency, ticket_id = strip(currency), strip(ticket_id)
    _check_keys(number, currency, ticket_id)
    return (number, ticket_id, flag == "A", when, strip(category), strip(price_code),
            strip(zone), _number(number, strip(row), StatementProblem.ROW),
            _number(number, strip(seat), StatementProblem.SEAT), -cents if sign else cents,
            currency)


