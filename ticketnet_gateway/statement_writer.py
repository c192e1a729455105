"""The statement's writer: what `statement_read` reads back field for field, in Windows-1252 with
CRLF (docs/statement-file.md, "Writing"). The simulator writes Ticketnet's statements with it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import BinaryIO

from .statement import (
    _BUYER_FIELDS,
    _CONTROL,
    ENCODING,
    LAYOUT,
    AmountNotation,
    DateNotation,
    StatementBuyer,
    StatementError,
    StatementLine,
    StatementProblem,
    _check_keys,
    _is_utf8,
    _looks_like_a_record,
)


def statement_write(lines: Iterable[StatementLine], stream: BinaryIO, *, with_buyer: bool,
                    amount_notation: AmountNotation,
                    date_notation: DateNotation = DateNotation.DAY_FIRST,
                    header: Sequence[str] = (), trailer: Sequence[str] = ()) -> int:
    """Write a statement (cp1252, CRLF) and return how many records it holds. `with_buyer`:
    213 characters for every record (blank block without a buyer), else 106 (buyers dropped).
    A value that does not fit or would not read back as given raises `StatementError` with
    the output line number; the lines' own `line_number` is ignored."""
    for number, text in enumerate(header, start=1):
        stream.write(_other_line(number, text, "header"))
    count = 0
    for count, line in enumerate(lines, start=1):
        stream.write(_record_bytes(len(header) + count, line, with_buyer, amount_notation,
                                   date_notation))
    for number, text in enumerate(trailer, start=len(header) + count + 1):
        stream.write(_other_line(number, text, "trailer"))
    return count


def _other_line(number: int, text: str, kind: str) -> bytes:
    """A header or trailer line, refused where the reader would not skip it."""
    data = _encode(number, text, kind)
    if _CONTROL.search(text) or _looks_like_a_record(text):
        raise StatementError(number, StatementProblem.NOT_A_HEADER, {"value": text})
    return data + b"\r\n"


def _record_bytes(number: int, line: StatementLine, with_buyer: bool,
                  amount_notation: AmountNotation, date_notation: DateNotation) -> bytes:
    _check_keys(number, line.currency, line.ticket_id)
    buyer = line.buyer or StatementBuyer()
    values = (  # in the layout's order
        line.label, _written_date(number, line.performance_at, date_notation),
        "A" if line.cancelled else " ", line.category, line.price_code, line.fiscal_code,
        line.zone, _written_number(number, line.row, StatementProblem.ROW),
        _written_number(number, line.seat, StatementProblem.SEAT),
        _written_amount(line.amount_cents, amount_notation), line.currency, line.ticket_id, "",
        *((getattr(buyer, name) for name in _BUYER_FIELDS) if with_buyer else ()))
    parts = []
    for (name, start, end), value in zip(LAYOUT[:len(values)], values, strict=True):
        width = end - start
        if name != "cancelled" and (value != value.strip() or _CONTROL.search(value)):
            raise StatementError(number, StatementProblem.FIELD_TEXT,
                                 {"field": name, "value": value})
        if len(value) > width:
            raise StatementError(number, StatementProblem.FIELD_TOO_LONG,
                                 {"field": name, "value": value, "width": width})
        parts.append(value.rjust(width) if name == "amount" else value.ljust(width))
    data = _encode(number, "".join(parts), None)
    if not data.isascii() and _is_utf8(data):  # the reader would take it for UTF-8
        raise StatementError(number, StatementProblem.AMBIGUOUS_ENCODING)
    return data + b"\r\n"


def _encode(number: int, text: str, name: str | None) -> bytes:
    try:
        return text.encode(ENCODING)
    except UnicodeEncodeError as error:
        where = name or next(n for n, start, end in LAYOUT if start <= error.start < end)
        raise StatementError(number, StatementProblem.FIELD_NOT_CP1252, {
            "field": where, "value": text[error.start:error.end]}) from None


def _written_date(number: int, when: datetime, notation: DateNotation) -> str:
    if when.tzinfo is not None or when.second or when.microsecond:
        # The file holds local minutes: converting or rounding is the caller's decision.
        raise StatementError(number, StatementProblem.DATE, {"value": when.isoformat()})
    day = (f"{when.year:04d}-{when.month:02d}-{when.day:02d}" if notation is DateNotation.ISO
           else f"{when.day:02d}/{when.month:02d}/{when.year:04d}")
    return f"{day} {when.hour:02d}:{when.minute:02d}"


def _written_number(number: int, value: int | None, problem: StatementProblem) -> str:
    if value is not None and value < 0:
        raise StatementError(number, problem, {"value": str(value)})
    return "" if value is None else f"{value:04d}"  # Ticketnet pads rows and seats with zeros


def _written_amount(cents: int, notation: AmountNotation) -> str:
    if notation is AmountNotation.CENTS:
        return str(cents)
    sign = "-" if cents < 0 else ""
    units, hundredths = divmod(abs(cents), 100)
    point = "." if notation is AmountNotation.DECIMAL_POINT else ","
    return f"{sign}{units}{point}{hundredths:02d}"
