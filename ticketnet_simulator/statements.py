"""The sales statement the stand-in Ticketnet writes: the journal lines of a period as records of
the fixed-width layout (docs/statement-file.md; the writer is ticketnet_gateway.statement's)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import BinaryIO

from ticketnet_gateway.statement import (
    AmountNotation,
    DateNotation,
    StatementBuyer,
    StatementError,
    StatementLine,
    StatementProblem,
)
from ticketnet_gateway.statement_writer import statement_write

from .journal import moment
from .store import OPERATION_COLUMNS, Operation, Store

LABEL_WIDTH = 10
# Journal order; the time index finds the period (every line's time is UTC text, see moment).
_SELECT_PERIOD = (
    f"SELECT {OPERATION_COLUMNS} FROM operation WHERE time >= ? AND time < ? "  # noqa: S608
    "ORDER BY seq"
)
_SELECT_INSTITUTION_PERIOD = (
    f"SELECT {OPERATION_COLUMNS} FROM operation WHERE time >= ? AND time < ? "  # noqa: S608
    "AND manifestation_code IN (SELECT code FROM manifestation WHERE institution_code = ?) "
    "ORDER BY seq"
)


class StatementRefused(Exception):
    """A record the layout cannot hold as it is (never truncated): names its ticket."""

    def __init__(self, ticket_number: str | None, error: StatementError):
        self.ticket_number = ticket_number
        self.error = error
        field = error.params.get("field", error.code.value)
        value = error.params.get("value")
        what = f"{field} {value!r}" if value is not None else field
        if error.code is StatementProblem.FIELD_TOO_LONG:
            what += f" is longer than its {error.params['width']} characters"
        else:
            what += f" cannot be written ({error.code.value})"
        where = (f"ticket {ticket_number}" if ticket_number is not None
                 else f"line {error.line_number}")
        super().__init__(f"The statement refuses {where}: {what}")


def statement_export(store: Store, stream: BinaryIO, *, first: date, last: date,
                     time_zone: tzinfo, institution_code: str | None, with_buyer: bool,
                     amount_notation: AmountNotation, date_notation: DateNotation) -> int:
    """Write the statement of the days `first` to `last` (in `time_zone`) to `stream`, record by
    record, between a header naming the institution(s) and the period and a trailer counting
    the records; returns that count. Raises StatementRefused on a value that does not fit."""
    start, end = period_bounds(first, last, time_zone)
    institutions = [institution_code] if institution_code else sorted(
        {code for (code,) in store.db().execute("SELECT institution_code FROM manifestation")})
    records = _Watched(statement_records(store, start=start, end=end, time_zone=time_zone,
                                         institution_code=institution_code))
    header = (f"TICKETNET RELEVE DES VENTES {','.join(institutions) or '-'} "
              f"{first.isoformat()} {last.isoformat()}")
    try:
        return statement_write(records, stream, with_buyer=with_buyer,
                               amount_notation=amount_notation, date_notation=date_notation,
                               header=[header], trailer=_trailer(records))
    except StatementError as error:
        raise StatementRefused(records.last and records.last.ticket_id, error) from None


class _Watched:
    """The records as the writer takes them: it writes each as it takes it, so the last one
    taken names the ticket of a refusal, and their count makes the trailer."""

    def __init__(self, records: Iterable[StatementLine]):
        self.records = iter(records)
        self.last: StatementLine | None = None
        self.count = 0

    def __iter__(self) -> Iterator[StatementLine]:
        for record in self.records:
            self.last = record
            self.count += 1
            yield record


def _trailer(records: _Watched) -> Iterator[str]:
    # Iterated by statement_write after the records: the count is known by then.
    yield f"FIN {records.count:06d}"


def period_bounds(first: date, last: date, time_zone: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of the days `first` to `last` included, in `time_zone`."""
    return (datetime.combine(first, time.min, tzinfo=time_zone),
            datetime.combine(last + timedelta(days=1), time.min, tzinfo=time_zone))


def statement_records(store: Store, *, start: datetime, end: datetime, time_zone: tzinfo,
                      institution_code: str | None = None) -> Iterator[StatementLine]:
    """The records of every journal line whose time is in [start, end), in journal
    order, read as they are yielded: a SALE is the ticket's sale, a REFUND the cancellation
    (flag A) of the refunded ticket, a DUPLICATE the cancellation of the original ticket then
    the sale of the new one, both at the ticket's price (a reprint nets to zero)."""
    db = store.db()
    labels = {code: name[:LABEL_WIDTH].rstrip()
              for code, name in db.execute("SELECT code, name FROM manifestation")}
    starts = {(m, p): local_minute(start_text, time_zone) for m, p, start_text in db.execute(
        "SELECT manifestation_code, code, start FROM performance")}
    bounds = (moment(start), moment(end))
    rows = (db.execute(_SELECT_PERIOD, bounds) if institution_code is None else
            db.execute(_SELECT_INSTITUTION_PERIOD, (*bounds, institution_code)))
    for line in map(Operation._make, rows):
        record = StatementLine(
            line_number=0, label=labels[line.manifestation_code],
            performance_at=starts[line.manifestation_code, line.performance_code],
            cancelled=line.type == "REFUND", category=line.category_code,
            price_code=line.tariff_code, fiscal_code="", zone=line.zone_code, row=line.row,
            seat=line.seat, amount_cents=line.price_cents, currency=line.currency,
            ticket_id=line.ticket_number, buyer=_buyer(line))
        if line.type == "DUPLICATE":
            yield replace(record, cancelled=True, ticket_id=line.original_ticket_number)
        yield record


def local_minute(text: str, time_zone: tzinfo) -> datetime:
    """A performance's start (ISO text with offset) as the statement prints it: naive local
    time in `time_zone`, to the minute."""
    return datetime.fromisoformat(text).astimezone(time_zone).replace(
        tzinfo=None, second=0, microsecond=0)


def _buyer(line: Operation) -> StatementBuyer | None:
    buyer = StatementBuyer(last_name=line.buyer_last_name, first_name=line.buyer_first_name,
                           city=line.buyer_city, postcode=line.buyer_postal_code,
                           country=line.buyer_country)
    return buyer if buyer != StatementBuyer() else None
