"""Ticketnet's sales journal in the simulator: every sale, duplicate and refund as one line,
written by the box office and the generator, listed page by page behind opaque cursors."""

from __future__ import annotations

import base64
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from .rules import SimulatorError
from .store import INSERT_OPERATION, OPERATION_COLUMNS, Operation, Store, Ticket, now

MAX_PAGE_SIZE = 5000
CURRENCY = "EUR"
# The listings a cursor may belong to: a cursor of one is refused by the other.
OPERATIONS_CURSOR = "tn1"
TICKETS_CURSOR = "tk1"
_LISTINGS = {OPERATIONS_CURSOR: "listOperations", TICKETS_CURSOR: "listTickets"}
# A withheld ticket's lines are never listed; the cursor still moves past them.
_SELECT_PAGE = (
    f"SELECT seq, {OPERATION_COLUMNS} FROM operation WHERE seq > ? "  # noqa: S608
    "AND ticket_number NOT IN (SELECT number FROM withheld_ticket) ORDER BY seq LIMIT ?"
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
    """An operation's time as the journal writes it: in UTC, to the millisecond, with its
    offset (`2017-09-05T18:30:00.000+00:00`). Every line's text has this one width and zone,
    so comparing the texts compares the times (`since`, the statement's period)."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


def moment_at_or_after(when: datetime) -> str:
    """The journal text of the first millisecond at or after `when` (an aware datetime)."""
    if when.microsecond % 1000:
        when += timedelta(microseconds=1000 - when.microsecond % 1000)
    return moment(when)


class Journal:
    def __init__(self, store: Store):
        self.store = store

    def record(self, db: sqlite3.Connection, kind: str, ticket: Ticket,
               original: str | None) -> None:
        """One line, now, inside the write transaction `db` that changed the ticket."""
        db.execute(INSERT_OPERATION,
                   operation_for(kind, ticket, original=original, time=moment(now())))

    # -- cursors: base64 of "<listing>:<instance>:<position…>" ---------------------------

    def encode_cursor(self, seq: int) -> str:
        return self.cursor_encode(OPERATIONS_CURSOR, str(seq))

    def decode_cursor(self, cursor: str | None) -> int:
        if not cursor:
            return 0
        (seq,) = self.cursor_decode(OPERATIONS_CURSOR, cursor, parts=1)
        if not seq.isdigit():
            raise _foreign_cursor()
        return int(seq)

    def cursor_encode(self, listing: str, *position: str) -> str:
        text = ":".join((listing, self.store.instance, *position))
        return base64.urlsafe_b64encode(text.encode()).decode()

    def cursor_decode(self, listing: str, cursor: str, *, parts: int) -> list[str]:
        """The position a cursor of `listing` holds (`parts` fields), refused when this journal
        did not issue it for that listing."""
        try:
            version, instance, *position = (
                base64.urlsafe_b64decode(cursor.encode()).decode().split(":"))
        except ValueError:  # not base64, not UTF-8, too few fields
            raise _foreign_cursor() from None
        if version != listing and version in _LISTINGS:
            raise SimulatorError(
                "INVALID_CURSOR", f"This cursor belongs to {_LISTINGS[version]}, not to "
                f"{_LISTINGS[listing]}: send back the nextCursor of this listing's last page.")
        if version != listing or len(position) != parts:
            raise _foreign_cursor()
        if instance != self.store.instance:
            raise SimulatorError(
                "INVALID_CURSOR",
                "This cursor was issued by another Ticketnet journal (it was reset): start "
                "again without a cursor.")
        return position

    # -- listing -------------------------------------------------------------------------

    def list_operations(self, *, cursor: str | None, page_size: int,
                        since: datetime | None = None) -> tuple[list[JournalLine], str, bool]:
        """Operations after `cursor`, in journal order: (lines, next cursor, has more).
        Without a cursor, `since` starts the listing at the first line whose time is at or
        after it (the lines after that one follow in journal order, whatever their time)."""
        check_page_size(page_size)
        if cursor and since is not None:
            raise SimulatorError("INVALID_REQUEST", "Send a cursor or since, not both: since "
                                 "starts a listing, the cursor continues one.")
        after = self._before(since) if since is not None else self.decode_cursor(cursor)
        rows = self.store.db().execute(_SELECT_PAGE, (after, page_size + 1)).fetchall()
        has_more = len(rows) > page_size
        rows = rows[:page_size]
        last = rows[-1][0] if rows else after
        prefix = self.store.instance
        make = Operation._make
        lines = [JournalLine(f"{prefix}-{row[0]}", make(row[1:])) for row in rows]
        return lines, self.encode_cursor(last), has_more

    def _before(self, since: datetime) -> int:
        """The position just before the first line at or after `since`; the journal's end when
        there is none (the listing then waits for new lines)."""
        if since.tzinfo is None:
            raise SimulatorError("INVALID_REQUEST", "since needs a time zone offset.")
        db = self.store.db()
        first = db.execute("SELECT min(seq) FROM operation WHERE time >= ?",
                           (moment_at_or_after(since),)).fetchone()[0]
        if first is not None:
            return first - 1
        return db.execute("SELECT max(seq) FROM operation").fetchone()[0] or 0

    # -- withheld lines: a Ticketnet that never sends them ---------------------------------

    def withhold(self, *, ticket_number: str, release: bool = False) -> dict:
        """Stop (or, `release`, resume) listing the lines whose ticket is `ticket_number`: the
        sale or duplicate that issued it and its refund, those to come too. The duplicate that
        replaces it is the new ticket's line and stays listed."""
        with self.store.write() as db:
            if db.execute("SELECT 1 FROM ticket WHERE number = ?",
                          (ticket_number,)).fetchone() is None:
                raise SimulatorError("UNKNOWN_TICKET", f"Ticket {ticket_number} does not exist.")
            if release:
                db.execute("DELETE FROM withheld_ticket WHERE number = ?", (ticket_number,))
            else:
                db.execute("INSERT OR IGNORE INTO withheld_ticket VALUES (?)", (ticket_number,))
            seqs = [seq for (seq,) in db.execute(
                "SELECT seq FROM operation WHERE ticket_number = ? ORDER BY seq",
                (ticket_number,))]
        prefix = self.store.instance
        return {"ticket": ticket_number, "withheld": not release,
                "operations": [f"{prefix}-{seq}" for seq in seqs]}

    def overview(self) -> dict:
        db = self.store.db()
        last = db.execute("SELECT max(seq) FROM operation").fetchone()[0] or 0
        withheld = db.execute("SELECT count(*) FROM operation WHERE ticket_number IN "
                              "(SELECT number FROM withheld_ticket)").fetchone()[0]
        return {"operations": dict(db.execute("SELECT type, count(*) FROM operation "
                                              "GROUP BY type")),
                "withheld_operations": withheld,
                "last_cursor": self.encode_cursor(last)}


def check_page_size(page_size: int) -> None:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise SimulatorError("INVALID_PAGE_SIZE",
                             f"Ask for 1 to {MAX_PAGE_SIZE} items per page.")


def _foreign_cursor() -> SimulatorError:
    return SimulatorError("INVALID_CURSOR", "This cursor was not issued by Ticketnet: send back "
                          "the nextCursor of the last page, unchanged.")
