"""The simulator's SQLite file (WAL, survives restarts): its schema, the named rows shared by
its parts, one connection per thread, write transactions and the instance's ticket numbers.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS account (
    login TEXT PRIMARY KEY, salt TEXT NOT NULL, password_hash TEXT NOT NULL,
    institution_code TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS manifestation (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, hall_code TEXT NOT NULL,
    institution_code TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS performance (
    manifestation_code TEXT NOT NULL, code TEXT NOT NULL, start TEXT NOT NULL,
    PRIMARY KEY (manifestation_code, code));
CREATE TABLE IF NOT EXISTS category (
    manifestation_code TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (manifestation_code, code));
CREATE TABLE IF NOT EXISTS tariff (
    manifestation_code TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (manifestation_code, code));
CREATE TABLE IF NOT EXISTS zone (
    manifestation_code TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
    capacity INTEGER, category_code TEXT,
    PRIMARY KEY (manifestation_code, code));
CREATE TABLE IF NOT EXISTS seat (
    manifestation_code TEXT NOT NULL, zone_code TEXT NOT NULL, row INTEGER NOT NULL,
    number INTEGER NOT NULL, category_code TEXT NOT NULL,
    PRIMARY KEY (manifestation_code, zone_code, row, number)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS price (
    manifestation_code TEXT NOT NULL, category_code TEXT NOT NULL, tariff_code TEXT NOT NULL,
    cents INTEGER NOT NULL, PRIMARY KEY (manifestation_code, category_code, tariff_code));
CREATE TABLE IF NOT EXISTS allotment_export (
    manifestation_code TEXT NOT NULL, performance_code TEXT NOT NULL, export_id TEXT NOT NULL,
    PRIMARY KEY (manifestation_code, performance_code));
CREATE TABLE IF NOT EXISTS allotment (
    manifestation_code TEXT NOT NULL, performance_code TEXT NOT NULL, zone_code TEXT NOT NULL,
    row INTEGER NOT NULL, number INTEGER NOT NULL, category_code TEXT NOT NULL,
    PRIMARY KEY (manifestation_code, performance_code, zone_code, row, number)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS zone_quota (
    manifestation_code TEXT NOT NULL, performance_code TEXT NOT NULL, zone_code TEXT NOT NULL,
    available INTEGER NOT NULL,
    PRIMARY KEY (manifestation_code, performance_code, zone_code));
CREATE TABLE IF NOT EXISTS ticket (
    number TEXT PRIMARY KEY, manifestation_code TEXT NOT NULL, performance_code TEXT NOT NULL,
    zone_code TEXT NOT NULL, row INTEGER NOT NULL, seat INTEGER NOT NULL,
    category_code TEXT NOT NULL, tariff_code TEXT NOT NULL, price_cents INTEGER NOT NULL,
    status TEXT NOT NULL, from_quota INTEGER NOT NULL, buyer_last_name TEXT NOT NULL,
    buyer_first_name TEXT NOT NULL, buyer_city TEXT NOT NULL, buyer_postal_code TEXT NOT NULL,
    buyer_country TEXT NOT NULL, point_of_sale TEXT NOT NULL) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS ticket_one_active_per_seat
    ON ticket (manifestation_code, performance_code, zone_code, row, seat)
    WHERE status = 'ACTIVE';
CREATE TABLE IF NOT EXISTS operation (
    seq INTEGER PRIMARY KEY, type TEXT NOT NULL, ticket_number TEXT NOT NULL,
    original_ticket_number TEXT, manifestation_code TEXT NOT NULL,
    performance_code TEXT NOT NULL, zone_code TEXT NOT NULL, row INTEGER NOT NULL,
    seat INTEGER NOT NULL, category_code TEXT NOT NULL, tariff_code TEXT NOT NULL,
    price_cents INTEGER NOT NULL, currency TEXT NOT NULL, time TEXT NOT NULL,
    point_of_sale TEXT NOT NULL, buyer_last_name TEXT NOT NULL, buyer_first_name TEXT NOT NULL,
    buyer_city TEXT NOT NULL, buyer_postal_code TEXT NOT NULL, buyer_country TEXT NOT NULL);
-- listTickets pages a manifestation's (or a performance's) tickets by number and finds the
-- journal lines that issued and ended each; listOperations' `since` and the statement look
-- lines up by time. Created on an existing file at its first open after an upgrade.
CREATE INDEX IF NOT EXISTS ticket_by_manifestation ON ticket (manifestation_code, number);
CREATE INDEX IF NOT EXISTS ticket_by_performance
    ON ticket (manifestation_code, performance_code, number);
CREATE INDEX IF NOT EXISTS operation_by_ticket ON operation (ticket_number);
CREATE INDEX IF NOT EXISTS operation_by_original ON operation (original_ticket_number)
    WHERE original_ticket_number IS NOT NULL;
CREATE INDEX IF NOT EXISTS operation_by_time ON operation (time);
-- Tickets whose journal lines listOperations never sends (a Ticketnet that loses lines).
CREATE TABLE IF NOT EXISTS withheld_ticket (number TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fault (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, operation TEXT, remaining INTEGER,
    latency_ms INTEGER NOT NULL DEFAULT 0, code TEXT, message TEXT);
"""


# The field groups of the rows below: a ticket and the journal lines about it carry the same
# sale (the seat, its tariff and price) and the same buyer.
SEAT_FIELDS = [("manifestation_code", str), ("performance_code", str), ("zone_code", str),
               ("row", int), ("seat", int), ("category_code", str)]
SALE_FIELDS = [*SEAT_FIELDS, ("tariff_code", str), ("price_cents", int)]
BUYER_FIELDS = [("buyer_last_name", str), ("buyer_first_name", str), ("buyer_city", str),
                ("buyer_postal_code", str), ("buyer_country", str)]


class Ticket(NamedTuple("Ticket", [
        ("number", str), *SALE_FIELDS,
        ("status", str),  # ACTIVE, REPLACED (duplicated) or REFUNDED
        ("from_quota", int),  # 1 for a series place: a refund gives its zone count one back
        *BUYER_FIELDS, ("point_of_sale", str)])):
    """A row of `ticket`: what Ticketnet issued for one seat of one performance."""

    __slots__ = ()


class Operation(NamedTuple("Operation", [
        ("type", str),  # SALE, DUPLICATE or REFUND
        ("ticket_number", str), ("original_ticket_number", str | None), *SALE_FIELDS,
        ("currency", str), ("time", str), ("point_of_sale", str), *BUYER_FIELDS])):
    """A row of `operation` without its sequence number: one line of the sales journal."""

    __slots__ = ()


def _insert(table: str, fields: tuple[str, ...]) -> str:
    # Names from the named rows below, never from a request.
    columns, marks = ", ".join(fields), ", ".join("?" * len(fields))
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608


# Column lists follow the named rows, so a row is written and read back field by field.
TICKET_COLUMNS = ", ".join(Ticket._fields)
OPERATION_COLUMNS = ", ".join(Operation._fields)
INSERT_TICKET = _insert("ticket", Ticket._fields)
INSERT_OPERATION = _insert("operation", Operation._fields)


def now() -> datetime:
    return datetime.now(UTC)


class Store:
    """One SQLite file. Safe to share between threads (one connection per thread); several
    processes may open the same file (WAL)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.db().executescript(SCHEMA)
        with self.write() as db:
            if db.execute("SELECT 1 FROM meta WHERE key = 'instance'").fetchone() is None:
                db.execute("INSERT INTO meta VALUES ('instance', ?)",
                           (secrets.token_hex(3).upper(),))
                db.execute("INSERT INTO meta VALUES ('ticket_seq', '0')")
        # The journal's identity: it prefixes ticket numbers and operation ids, and a cursor
        # from another instance (a reset state) is refused.
        self.instance: str = self.db().execute(
            "SELECT value FROM meta WHERE key = 'instance'").fetchone()[0]

    def db(self) -> sqlite3.Connection:
        """This thread's connection (autocommit: writes go through `write()`)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                 check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=30000")
            self._local.db = db
        return db

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once so that checks and writes see the same state."""
        db = self.db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def issue_ticket_numbers(self, db: sqlite3.Connection, count: int) -> Iterator[str]:
        """Reserve `count` ticket numbers inside the write transaction `db` (16 characters: the
        instance, then a zero-padded sequence); they are formatted as they are taken."""
        start = int(db.execute("SELECT value FROM meta WHERE key = 'ticket_seq'").fetchone()[0])
        db.execute("UPDATE meta SET value = ? WHERE key = 'ticket_seq'", (str(start + count),))
        prefix = self.instance
        return (f"{prefix}{seq:010d}" for seq in range(start + 1, start + count + 1))
