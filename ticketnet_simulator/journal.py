"""Ticketnet's sales journal in the simulator: every sale, duplicate and refund as one line,
written by the box office and the generator, listed page by page behind opaque cursors."""

from __future__ import annotations

import base64
import sqlite3
from datetime import datetime
from typing import NamedTuple

from .rules import SimulatorError
from .store import INSERT_OPERATION, OPERATION_COLUMNS, Operation, Store, Ticket, now

MAX_PAGE_SIZE = 5000
CURRENCY = "EUR"
_SELECT_PAGE = (
    f"SELECT seq, {OPERATION_COLUMNS} FROM operation WHERE seq > ? "  # noqa: S608
    "ORDER BY seq LIMIT ?"
)


class JournalLine(NamedTuple):
    """A listed operation: its id (`<instance>-<seq>`) and the line itself."""

    operation_id: str
    operation: Operation


def operation_for(kind: str, ticket: Ticket, *, original: str | None, time: str) -> Operation:
    """The journal line of `kind` about `ticket` (the new ticket of a duplicate, the refunded
    ticket of a refund); `original` is the ticket it replaces or cancels."""
    return Operation(
        type=kind, ticket_number=ticket.number, original_ticket_number=original,
        manifestation_code=ticket.manifestation_code,
        performance_code=ticket.performance_code, zone_code=ticket.zone_code, row=ticket.row,
        seat=ticket.seat, category_code=ticket.category_code, tariff_code=ticket.tariff_code,
        price_cents=ticket.price_cents, currency=CURRENCY, time=time,
        point_of_sale=ticket.point_of_sale, buyer_last_name=ticket.buyer_last_name,
        buyer_first_name=ticket.buyer_first_name, buyer_city=ticket.buyer_city,
        buyer_postal_code=ticket.buyer_postal_code, buyer_country=ticket.buyer_country)


def moment(when: datetime) -> str:
    """An operation's time as the journal writes it (milliseconds, with its offset)."""
    return when.isoformat(timespec="milliseconds")


class Journal:
    def __init__(self, store: Store):
        self.store = store

    def record(self, db: sqlite3.Connection, kind: str, ticket: Ticket,
               original: str | None) -> None:
        """One line, now, inside the write transaction `db` that changed the ticket."""
        db.execute(INSERT_OPERATION,
                   operation_for(kind, ticket, original=original, time=moment(now())))

    def encode_cursor(self, seq: int) -> str:
        return base64.urlsafe_b64encode(f"tn1:{self.store.instance}:{seq}".encode()).decode()

    def decode_cursor(self, cursor: str | None) -> int:
        if not cursor:
            return 0
        try:
            version, instance, seq = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
            if version != "tn1" or not seq.isdigit():
                raise ValueError(cursor)
        except ValueError:
            raise SimulatorError("INVALID_CURSOR", "This cursor was not issued by Ticketnet: "
                                 "send back the nextCursor of the last page, unchanged.") from None
        if instance != self.store.instance:
            raise SimulatorError(
                "INVALID_CURSOR",
                "This cursor was issued by another Ticketnet journal (it was reset): start "
                "again without a cursor.")
        return int(seq)

    def list_operations(self, *, cursor: str | None,
                        page_size: int) -> tuple[list[JournalLine], str, bool]:
        """Operations after `cursor`, in journal order: (lines, next cursor, has more)."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise SimulatorError("INVALID_PAGE_SIZE",
                                 f"Ask for 1 to {MAX_PAGE_SIZE} operations per page.")
        after = self.decode_cursor(cursor)
        rows = self.store.db().execute(_SELECT_PAGE, (after, page_size + 1)).fetchall()
        has_more = len(rows) > page_size
        rows = rows[:page_size]
        last = rows[-1][0] if rows else after
        prefix = self.store.instance
        make = Operation._make
        lines = [JournalLine(f"{prefix}-{row[0]}", make(row[1:])) for row in rows]
        return lines, self.encode_cursor(last), has_more

    def overview(self) -> dict:
        db = self.store.db()
        last = db.execute("SELECT max(seq) FROM operation").fetchone()[0] or 0
        return {"operations": dict(db.execute("SELECT type, count(*) FROM operation "
                                              "GROUP BY type")),
                "last_cursor": self.encode_cursor(last)}
