"""Parser of Ticketnet's CSV flat files for undated passes (format: docs/flat-file.md).

Pure: bytes in, records and per-line errors out; a file that is not a flat file at all is
refused whole with `FlatFileRefused`, so that nothing of it is integrated.
"""

import csv
import datetime as dt
import hashlib
import io
import zoneinfo
from dataclasses import dataclass, field

from texts import render, text

MAX_BYTES = 50 * 1024 * 1024
MAX_LINES = 500_000
OPERATION_TYPES = ("SALE", "DUPLICATE", "REFUND")
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

REQUIRED_COLUMNS = (
    "INSTITUTION_CODE",
    "ORDER_NUMBER",
    "ORDER_DATE",
    "OPERATION_TYPE",
    "TICKET_NUMBER",
    "PRODUCT_CODE",
    "TARIFF_CODE",
)
OPTIONAL_COLUMNS = (
    "ORIGINAL_TICKET_NUMBER",
    "PRICE",
    "CURRENCY",
    "VALID_FROM",
    "VALID_UNTIL",
    "POINT_OF_SALE",
    "BUYER_LAST_NAME",
    "BUYER_FIRST_NAME",
    "BUYER_CITY",
    "BUYER_POSTAL_CODE",
    "BUYER_COUNTRY",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
_MAX_LENGTH = {
    "ORDER_NUMBER": 32,
    "TICKET_NUMBER": 32,
    "ORIGINAL_TICKET_NUMBER": 32,
    "PRODUCT_CODE": 8,
    "TARIFF_CODE": 16,
    "CURRENCY": 3,
    "POINT_OF_SALE": 16,
    "BUYER_COUNTRY": 2,
}


class FlatFileRefused(Exception):
    """The file is not a flat file we can read: nothing of it is integrated."""

    def __init__(self, message):
        super().__init__(render(message))
        self.message = message  # a stored text (`texts`): rendered in its reader's language


@dataclass(frozen=True)
class FlatFileRecord:
    """One valid line of a flat file."""

    line_number: int
    institution_code: str
    order_number: str
    order_date: dt.datetime
    operation_type: str
    ticket_number: str
    original_ticket_number: str
    product_code: str
    tariff_code: str
    price_cents: int | None
    currency: str
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    point_of_sale: str
    buyer_last_name: str = ""
    buyer_first_name: str = ""
    buyer_city: str = ""
    buyer_postal_code: str = ""
    buyer_country: str = ""

    @property
    def operation_id(self) -> str:
        """The line's identity: integrating it twice changes nothing."""
        return f"{self.order_number}:{self.operation_type}:{self.ticket_number}"


@dataclass(frozen=True)
class LineError:
    line_number: int
    message: dict | str  # a stored text (`texts`), rendered where it is read
    raw: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedFile:
    sha256: str
    records: list[FlatFileRecord]
    errors: list[LineError]

    @property
    def line_count(self) -> int:
        return len(self.records) + len(self.errors)


def _decode(data: bytes) -> str:
    if not data.strip():
        raise FlatFileRefused(text("The file is empty."))
    if len(data) > MAX_BYTES:
        raise FlatFileRefused(
            text("The file is larger than %(max)s MiB: ask Ticketnet to split it.",
                 max=MAX_BYTES // (1024 * 1024))
        )
    if b"\x00" in data:
        raise FlatFileRefused(text("The file is binary (it holds NUL bytes), not a CSV flat file."))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FlatFileRefused(
            text("The file is not UTF-8: line %(line)s holds the byte 0x%(byte)02X. "
                 "Ask Ticketnet for a UTF-8 file.", line=line, byte=data[exc.start])
        ) from None


def _header(first_line: list[str]) -> list[str]:
    columns = [c.strip().upper() for c in first_line]
    if len(columns) == 1:
        raise FlatFileRefused(
            text("The first line holds no semicolon: the separator must be “;” and the first "
                 "line the field codes (%(codes)s…).", codes=";".join(REQUIRED_COLUMNS[:3]))
        )
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise FlatFileRefused(
            text("Unknown columns in the first line: %(columns)s.", columns=", ".join(unknown))
        )
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise FlatFileRefused(
            text("Repeated columns in the first line: %(columns)s.", columns=", ".join(repeated))
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise FlatFileRefused(
            text("Required columns missing from the first line: %(columns)s.",
                 columns=", ".join(missing))
        )
    return columns


def _date(value: str, column: str, tz) -> dt.datetime:
    try:
        return dt.datetime.strptime(value, DATE_FORMAT).replace(tzinfo=tz)
    except ValueError:
        raise ValueError(
            text("%(column)s “%(value)s” is not a date YYYY-MM-DD HH:MM:SS.",
                 column=column, value=value)
        ) from None


def _record(line_number: int, row: dict[str, str], *, institution_code: str, tz):
    for column in REQUIRED_COLUMNS:
        if not row.get(column):
            raise ValueError(text("%(column)s is empty.", column=column))
    for column, limit in _MAX_LENGTH.items():
        if len(row.get(column, "")) > limit:
            raise ValueError(
                text("%(column)s is longer than %(limit)s characters.", column=column, limit=limit)
            )
    if row["INSTITUTION_CODE"] != institution_code:
        raise ValueError(
            text("INSTITUTION_CODE “%(code)s” is not this interface's (%(expected)s).",
                 code=row["INSTITUTION_CODE"], expected=institution_code)
        )
    operation = row["OPERATION_TYPE"].upper()
    if operation not in OPERATION_TYPES:
        raise ValueError(
            text("OPERATION_TYPE “%(value)s” is not one of SALE, DUPLICATE, REFUND.",
                 value=row["OPERATION_TYPE"])
        )
    original = row.get("ORIGINAL_TICKET_NUMBER", "")
    if operation == "DUPLICATE" and not original:
        raise ValueError(text("A DUPLICATE needs the ORIGINAL_TICKET_NUMBER it replaces."))
    if operation == "DUPLICATE" and original == row["TICKET_NUMBER"]:
        raise ValueError(text("A DUPLICATE needs a TICKET_NUMBER other than the original's."))
    price = row.get("PRICE", "")
    price_cents = None
    if price:
        if not price.isdigit() or not price.isascii():
            raise ValueError(
                text("PRICE “%(value)s” is not an amount in hundredths (for example 2550).",
                     value=price)
            )
        price_cents = int(price)
    elif operation == "SALE":
        raise ValueError(text("A SALE needs its PRICE, in hundredths."))
    currency = (row.get("CURRENCY") or "EUR").upper()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        raise ValueError(text("CURRENCY “%(value)s” is not an ISO 4217 code.", value=currency))
    valid_from = _date(row["VALID_FROM"], "VALID_FROM", tz) if row.get("VALID_FROM") else None
    valid_until = _date(row["VALID_UNTIL"], "VALID_UNTIL", tz) if row.get("VALID_UNTIL") else None
    if valid_from and valid_until and valid_until < valid_from:
        raise ValueError(text("VALID_UNTIL is before VALID_FROM."))
    return FlatFileRecord(
        line_number=line_number,
        institution_code=row["INSTITUTION_CODE"],
        order_number=row["ORDER_NUMBER"],
        order_date=_date(row["ORDER_DATE"], "ORDER_DATE", tz),
        operation_type=operation,
        ticket_number=row["TICKET_NUMBER"],
        original_ticket_number=original,
        product_code=row["PRODUCT_CODE"],
        tariff_code=row["TARIFF_CODE"],
        price_cents=price_cents,
        currency=currency,
        valid_from=valid_from,
        valid_until=valid_until,
        point_of_sale=row.get("POINT_OF_SALE", ""),
        buyer_last_name=row.get("BUYER_LAST_NAME", ""),
        buyer_first_name=row.get("BUYER_FIRST_NAME", ""),
        buyer_city=row.get("BUYER_CITY", ""),
        buyer_postal_code=row.get("BUYER_POSTAL_CODE", ""),
        buyer_country=row.get("BUYER_COUNTRY", "").upper(),
    )


def flat_file_parse(*, data: bytes, institution_code: str, time_zone: str) -> ParsedFile:
    """Parse a whole flat file; raises FlatFileRefused when it cannot be read at all."""
    decoded = _decode(data)
    tz = zoneinfo.ZoneInfo(time_zone)
    reader = csv.reader(io.StringIO(decoded, newline=""), delimiter=";", quotechar='"', strict=True)
    try:
        first = next(reader)
    except (StopIteration, csv.Error):
        raise FlatFileRefused(text("The first line (the field codes) cannot be read.")) from None
    columns = _header(first)
    records: list[FlatFileRecord] = []
    errors: list[LineError] = []
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(
                LineError(
                    reader.line_num, text("The line is not valid CSV: %(error)s.", error=exc)
                )
            )
            continue
        line_number = reader.line_num
        if line_number > MAX_LINES + 1:
            raise FlatFileRefused(
                text("The file has more than %(max)s lines: ask Ticketnet to split it.",
                     max=MAX_LINES)
            )
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(columns):
            errors.append(
                LineError(
                    line_number,
                    text("The line has %(found)s fields instead of %(expected)s.",
                         found=len(values), expected=len(columns)),
                )
            )
            continue
        row = {column: value.strip() for column, value in zip(columns, values, strict=True)}
        try:
            records.append(
                _record(line_number, row, institution_code=institution_code, tz=tz)
            )
        except ValueError as exc:
            errors.append(LineError(line_number, exc.args[0], raw=row))
    if not records and not errors:
        raise FlatFileRefused(text("The file holds the field codes but no line."))
    return ParsedFile(sha256=hashlib.sha256(data).hexdigest(), records=records, errors=errors)
