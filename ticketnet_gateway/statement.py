"""Ticketnet's fixed-width sales statement, part of its contract: the layout and a streaming
reader (the writer is statement_writer.py, the bulk reader statement_rows.py). Pure: bytes in,
`StatementLine`s out, no database; rules in docs/statement-file.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, BinaryIO

from .errors import ContractError

ENCODING = "cp1252"
RECORD_LENGTH = 106
RECORD_WITH_BUYER_LENGTH = 213
RECORD_LENGTHS = (RECORD_LENGTH, RECORD_WITH_BUYER_LENGTH)
# A line this close to a record's length is a damaged record (a character lost or doubled),
# never a header: reporting it beats letting a sale vanish from the comparison.
NEAR_MISS = 2
# Bounds what one line may cost in memory: nothing legitimate comes near it.
MAX_LINE_BYTES = 4096
# A collecting read keeps this many refused lines (a wrong amount notation refuses them all).
KEEP_REFUSED = 1000
KEEP_SKIPPED = 100
_BOM = b"\xef\xbb\xbf"

# (field, start, end): offsets from 0 in characters, end excluded. 90–106 is not read by the
# public importer the layout comes from; it is written as spaces.
LAYOUT: tuple[tuple[str, int, int], ...] = (
    ("label", 0, 10), ("performance_at", 10, 26), ("cancelled", 26, 27), ("category", 27, 29),
    ("price_code", 29, 39), ("fiscal_code", 39, 49), ("zone", 49, 53), ("row", 53, 57),
    ("seat", 57, 61), ("amount", 61, 71), ("currency", 71, 74), ("ticket_id", 74, 90),
    ("reserved", 90, 106), ("last_name", 106, 138), ("first_name", 138, 170), ("city", 170, 195),
    ("postcode", 195, 200), ("country", 200, 207), ("bank_id", 207, 213),
)
_LAYOUT_WITHOUT_BUYER = tuple(f for f in LAYOUT if f[2] <= RECORD_LENGTH)
_DATE_AT = next(slice(start, end) for name, start, end in LAYOUT if name == "performance_at")
_BUYER_FIELDS = ("last_name", "first_name", "city", "postcode", "country", "bank_id")


class AmountNotation(StrEnum):
    """How an interface's statements write amounts: a setting, never guessed per line."""

    DECIMAL_POINT = "DECIMAL_POINT"  # 45.00
    DECIMAL_COMMA = "DECIMAL_COMMA"  # 45,00
    CENTS = "CENTS"  # 4500


class DateNotation(StrEnum):
    """How the writer dates a performance; the reader accepts both."""

    DAY_FIRST = "DAY_FIRST"  # 05/09/2017 20:30
    ISO = "ISO"  # 2017-09-05 20:30


class StatementProblem(StrEnum):
    """Why a line is refused: a code and its params (listed in docs/statement-file.md), which
    the bridge renders in the reader's language."""

    LINE_LENGTH = "line_length"
    LAST_LINE_CUT = "last_line_cut"
    LINE_TOO_LONG = "line_too_long"
    LINE_END = "line_end"
    BYTE = "byte"
    UTF8_PADDED_BY_BYTES = "utf8_padded_by_bytes"
    DATE = "date"
    CANCELLATION_FLAG = "cancellation_flag"
    ROW = "row"
    SEAT = "seat"
    AMOUNT = "amount"
    CURRENCY = "currency"
    TICKET_ID_EMPTY = "ticket_id_empty"
    # The writer's only:
    FIELD_TOO_LONG = "field_too_long"
    FIELD_TEXT = "field_text"
    FIELD_NOT_CP1252 = "field_not_cp1252"
    AMBIGUOUS_ENCODING = "ambiguous_encoding"
    NOT_A_HEADER = "not_a_header"


class StatementError(ContractError):
    """A line that does not follow the statement's layout, by its number (1 = first line)."""

    def __init__(self, line_number: int, code: StatementProblem,
                 params: Mapping[str, Any] | None = None):
        self.line_number = line_number
        self.code = code
        self.params = dict(params or {})
        super().__init__(f"line {line_number}: {code.value} {self.params}")

    def __reduce__(self):  # a custom __init__ needs this to cross a process (Celery)
        return (type(self), (self.line_number, self.code, self.params))


@dataclass(frozen=True, slots=True)
class StatementBuyer:
    """The block a 213-character record adds; the bank id travels in it."""

    last_name: str = ""
    first_name: str = ""
    city: str = ""
    postcode: str = ""
    country: str = ""
    bank_id: str = ""


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One record. `performance_at` is naive local time, as printed; `cancelled` (flag `A`)
    is the refund of the ticket `ticket_id`. `price_code` is Ticketnet's tariff code within
    the category. Rows and seats are numbers (`0012` → 12), None when blank."""

    line_number: int
    label: str
    performance_at: datetime
    cancelled: bool
    category: str
    price_code: str
    fiscal_code: str
    zone: str
    row: int | None
    seat: int | None
    amount_cents: int
    currency: str
    ticket_id: str
    buyer: StatementBuyer | None = None


@dataclass(slots=True)
class StatementReport:
    """What a collecting read saw beside its records; filled as the iterator is consumed.
    Every physical line is exactly one of: a record, skipped, refused."""

    lines: int = 0
    records: int = 0
    skipped: int = 0
    skipped_line_numbers: list[int] = field(default_factory=list)  # the first KEEP_SKIPPED
    refused: list[StatementError] = field(default_factory=list)  # the first KEEP_REFUSED
    refused_count: int = 0
    utf8_lines: int = 0  # lines read as UTF-8 (not Ticketnet's encoding, but unambiguous)


# ASCII: \d alone would take any script's digits.
_DATE_FORMS = (
    re.compile(r"(?P<d>\d\d)/(?P<m>\d\d)/(?P<y>\d{4}) (?P<H>\d\d):(?P<M>\d\d)", re.ASCII),
    re.compile(r"(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d) (?P<H>\d\d):(?P<M>\d\d)", re.ASCII),
)
_AMOUNT_FORMS = {
    AmountNotation.DECIMAL_POINT: re.compile(r"(-?)(\d+)\.(\d\d)", re.ASCII),
    AmountNotation.DECIMAL_COMMA: re.compile(r"(-?)(\d+),(\d\d)", re.ASCII),
    AmountNotation.CENTS: re.compile(r"(-?)(\d+)()", re.ASCII),
}
_CURRENCY = re.compile(r"[A-Z]{3}", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def statement_read(stream: BinaryIO, *, amount_notation: AmountNotation,
                   report: StatementReport | None = None) -> Iterator[StatementLine]:
    """Yield the records of a statement opened in binary mode, one line at a time. Without
    `report` the read is strict: the first refused line raises `StatementError`; with one,
    refused lines are collected in it and the read goes on to the end."""
    dates: dict[str, datetime] = {}  # a statement repeats a few performances a million times
    seen = report if report is not None else StatementReport()
    return read_lines(stream, seen, strict=report is None, decide=lambda number, raw, ended: (
        _line(number, raw, ended, amount_notation, dates, seen)))


def read_lines(stream: BinaryIO, report: StatementReport, *, strict: bool,
               decide: Callable[[int, bytes | None, bool], Any]) -> Iterator[Any]:
    """Every physical line through `decide` (a record, None for a line that is not one, or a
    StatementError), counted in `report`: refused lines kept (the first KEEP_REFUSED) unless
    `strict`, skipped ones numbered (the first KEEP_SKIPPED). Shared by the readers."""
    for number, raw, ended in _physical_lines(stream):
        report.lines += 1
        try:
            record = decide(number, raw, ended)
        except StatementError as error:
            if strict:
                raise
            report.refused_count += 1
            if len(report.refused) < KEEP_REFUSED:
                report.refused.append(error)
            continue
        if record is None:
            report.skipped += 1
            if len(report.skipped_line_numbers) < KEEP_SKIPPED:
                report.skipped_line_numbers.append(number)
        else:
            report.records += 1
            yield record


def _physical_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | None, bool]]:
    """(number, bytes without the line end or None when too long, whether a line end came)."""
    readline = stream.readline
    number = 0
    while raw := readline(MAX_LINE_BYTES + 1):
        number += 1
        if raw.endswith(b"\n"):
            yield number, raw[:-2] if raw.endswith(b"\r\n") else raw[:-1], True
        elif len(raw) > MAX_LINE_BYTES:
            while raw and not raw.endswith(b"\n"):  # drop the rest without holding it
                raw = readline(65536)
            yield number, None, bool(raw)
        else:  # the last line, without a line end; a DOS end mark (Ctrl-Z) is no content
            yield number, raw.rstrip(b"\x1a").removesuffix(b"\r"), False


def _line(number: int, raw: bytes | None, ended: bool, amount_notation: AmountNotation,
          dates: dict[str, datetime], seen: StatementReport) -> StatementLine | None:
    """The record a line holds, None for a header, trailer or blank line; or refuse it."""
    if raw is None:
        raise StatementError(number, StatementProblem.LINE_TOO_LONG, {"limit": MAX_LINE_BYTES})
    if b"\r" in raw:
        raise StatementError(number, StatementProblem.LINE_END)
    text, utf8 = _decode(number, raw)
    seen.utf8_lines += utf8
    length = len(text)
    if length not in RECORD_LENGTHS:
        if utf8 and len(text.encode()) in RECORD_LENGTHS:
            raise StatementError(number, StatementProblem.UTF8_PADDED_BY_BYTES,
                                 {"length": length})
        if not ended and text.strip():
            raise StatementError(number, StatementProblem.LAST_LINE_CUT, {"length": length})
        if _looks_like_a_record(text):
            raise StatementError(number, StatementProblem.LINE_LENGTH, {"length": length})
        return None
    return _record(number, text, amount_notation, dates)


def _decode(number: int, raw: bytes) -> tuple[str, bool]:
    """The line's text, and whether it was UTF-8. A cp1252 line is almost never valid UTF-8
    (that needs mojibake such as "Ã©"), so a valid one is taken for what it is."""
    if b"\x00" in raw:
        raise StatementError(number, StatementProblem.BYTE,
                             {"byte": "0x00", "column": raw.index(b"\x00") + 1})
    bom = number == 1 and raw.startswith(_BOM)  # how a UTF-8 file may announce itself
    raw = raw.removeprefix(_BOM) if bom else raw
    if raw.isascii():
        return raw.decode("ascii"), bom
    if _is_utf8(raw):
        return raw.decode("utf-8"), True
    try:
        return raw.decode(ENCODING), False
    except UnicodeDecodeError as error:  # the five bytes cp1252 leaves undefined
        raise StatementError(number, StatementProblem.BYTE, {
            "byte": f"0x{raw[error.start]:02X}", "column": error.start + 1}) from None


def _looks_like_a_record(text: str) -> bool:
    """Near a record's length, or a performance date where records have it."""
    return (any(abs(len(text) - size) <= NEAR_MISS for size in RECORD_LENGTHS)
            or any(form.fullmatch(text[_DATE_AT].strip()) for form in _DATE_FORMS))


# One C call cuts a record into its fields; the pattern is the layout, so it cannot drift.
_FIELDS = {layout[-1][2]: re.compile("".join(f"(.{{{e - s}}})" for _, s, e in layout), re.DOTALL)
           for layout in (LAYOUT, _LAYOUT_WITHOUT_BUYER)}


def _record(number: int, text: str, amount_notation: AmountNotation,
            dates: dict[str, datetime]) -> StatementLine:
    (label, date, flag, category, price_code, fiscal_code, zone, row, seat, amount, currency,
     ticket_id, _reserved, *buyer) = map(str.strip, _FIELDS[len(text)].fullmatch(text).groups())
    performance_at = dates.get(date)
    if performance_at is None:
        performance_at = _date(number, date)
        if len(dates) > 4096:
            dates.clear()
        dates[date] = performance_at
    if flag not in ("A", ""):
        raise StatementError(number, StatementProblem.CANCELLATION_FLAG, {"value": flag})
    matched = _AMOUNT_FORMS[amount_notation].fullmatch(amount)
    if matched is None:
        raise StatementError(number, StatementProblem.AMOUNT, {
            "value": amount, "notation": amount_notation.value})
    sign, units, hundredths = matched.groups()
    cents = int(units + hundredths)
    _check_keys(number, currency, ticket_id)
    return StatementLine(
        number, label, performance_at, flag == "A", category, price_code, fiscal_code, zone,
        _number(number, row, StatementProblem.ROW), _number(number, seat, StatementProblem.SEAT),
        -cents if sign else cents, currency, ticket_id,
        StatementBuyer(*buyer) if any(buyer) else None)


def _check_keys(number: int, currency: str, ticket_id: str) -> None:
    """What reconciling a record needs: its ticket and the currency of its amount."""
    if not _CURRENCY.fullmatch(currency):
        raise StatementError(number, StatementProblem.CURRENCY, {"value": currency})
    if not ticket_id:
        raise StatementError(number, StatementProblem.TICKET_ID_EMPTY)


def _date(number: int, value: str) -> datetime:
    for form in _DATE_FORMS:
        if matched := form.fullmatch(value):
            parts = matched.groupdict()
            try:
                return datetime(*(int(parts[k]) for k in "ymdHM"))
            except ValueError:
                break
    raise StatementError(number, StatementProblem.DATE, {"value": value})


def _number(number: int, value: str, problem: StatementProblem) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):  # isdigit alone takes "²" and other scripts
        raise StatementError(number, problem, {"value": value})
    return int(value)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
