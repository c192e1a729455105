"""Volume for the simulator: a reproducible mix of sales, duplicates and refunds over the free
allotted seats and series places (within zone counts), written to the journal in large batches.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from .box_office import POINT_OF_SALE
from .journal import moment, operation_for
from .rules import SimulatorError
from .store import (
    INSERT_OPERATION,
    INSERT_TICKET,
    SEAT_FIELDS,
    TICKET_COLUMNS,
    Operation,
    Store,
    Ticket,
    now,
)

# Written every this many operations: memory stays flat on a million.
BATCH_SIZE = 50_000
_SELECT_ACTIVE = (
    f"SELECT {TICKET_COLUMNS} FROM ticket WHERE status = 'ACTIVE' ORDER BY number"  # noqa: S608
)
_LAST_NAMES = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
               "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Müller")
_FIRST_NAMES = ("Camille", "Léa", "Louis", "Hugo", "Chloé", "Jules", "Manon", "Gabriel",
                "Inès", "Arthur", "Zoé", "Lucas")
_CITIES = (("Paris", "75011", "FR"), ("Lyon", "69003", "FR"), ("Lille", "59000", "FR"),
           ("Nantes", "44000", "FR"), ("Genève", "1204", "CH"), ("Bruxelles", "1000", "BE"),
           ("Marseille", "13001", "FR"), ("Bordeaux", "33000", "FR"))

ZoneKey = tuple[str, str, str]  # manifestation, performance, zone
Prices = dict[tuple[str, str], list[tuple[str, int]]]  # (manifestation, category) → tariffs


class Buyer(NamedTuple):
    last_name: str
    first_name: str
    city: str
    postal_code: str
    country: str


BUYERS = [Buyer(last, first, *city) for last in _LAST_NAMES for first in _FIRST_NAMES
          for city in _CITIES]


class FreeSeat(NamedTuple("FreeSeat", [*SEAT_FIELDS, ("from_quota", int)])):
    """An allotted seat the run may sell; `from_quota`: a place of a non-numbered zone."""

    __slots__ = ()

    @property
    def zone_key(self) -> ZoneKey:
        return self.manifestation_code, self.performance_code, self.zone_code


@dataclass
class Stock:
    """What a run works on: prices, seats free to sell, tickets it may reprint or refund, and
    the count of each zone a quota sync set (used up or not)."""

    prices: Prices
    free: list[FreeSeat]
    active: list[Ticket]
    quotas: dict[ZoneKey, int]
    # Seats held by a ticket but no longer allotted (a later allotment left them out): a
    # refund does not make them free to sell.
    stranded: set[tuple[ZoneKey, int, int]]


def generate(store: Store, *, count: int, seed: int) -> dict:
    """`count` operations over the allotted seats and places (within zone counts): about 84 %
    sales, 8 % duplicates, 8 % refunds, more duplicates and refunds once every seat is sold. The
    same state and seed give the same operations."""
    if count < 0:
        raise SimulatorError("INVALID_REQUEST", "The count must be 0 or more.")
    rng = random.Random(seed)  # noqa: S311 - reproducible on purpose
    stock = load_stock(store.db())
    if not stock.free and not stock.active:
        raise SimulatorError(
            "NOTHING_TO_SELL",
            "No allotted seat with a price and no ticket: create a manifestation with "
            "prices and export an allotment first.")
    start = now() - timedelta(milliseconds=count)
    with store.write() as db:
        run = _Run(stock, rng, numbers=store.issue_ticket_numbers(db, count), batch=_Batch(db))
        counts = run.play(count, start=start)
        db.executemany("UPDATE zone_quota SET available = ? WHERE manifestation_code = ? "
                       "AND performance_code = ? AND zone_code = ?",
                       [(available, *key) for key, available in stock.quotas.items()])
    return {"generated": count, "counts": counts, "active_tickets": len(stock.active),
            "free_seats": len(stock.free)}


# -- load: what the state holds before the run --------------------------------------------

def load_stock(db: sqlite3.Connection) -> Stock:
    prices: Prices = {}
    for m, c, t, cents in db.execute("SELECT manifestation_code, category_code, "
                                     "tariff_code, cents FROM price ORDER BY 1, 2, 3"):
        prices.setdefault((m, c), []).append((t, cents))
    held: dict[ZoneKey, set[tuple[int, int]]] = {}
    for m, p, z, r, n in db.execute("SELECT manifestation_code, performance_code, zone_code, "
                                    "row, seat FROM ticket WHERE status = 'ACTIVE'"):
        held.setdefault((m, p, z), set()).add((r, n))
    # Every count, a used-up one too: a refund gives it a place back.
    quotas: dict[ZoneKey, int] = {
        (m, p, z): available for m, p, z, available in db.execute(
            "SELECT manifestation_code, performance_code, zone_code, available FROM zone_quota")}
    allotted_held: set[tuple[ZoneKey, int, int]] = set()
    free = list(_free_allotted(db, prices, held, dict(quotas), allotted_held))
    stranded = {(key, r, n) for key, seats in held.items() for r, n in seats
                if (key, r, n) not in allotted_held}
    active = [Ticket._make(row) for row in db.execute(_SELECT_ACTIVE)]
    return Stock(prices=prices, free=free, active=active, quotas=quotas, stranded=stranded)


def _free_allotted(db: sqlite3.Connection, prices: Prices,
                   sold: dict[ZoneKey, set[tuple[int, int]]], left: dict[ZoneKey, int],
                   allotted_held: set[tuple[ZoneKey, int, int]]) -> Iterator[FreeSeat]:
    """The allotted seats and places nobody holds, a zone with a count giving its first free
    places up to the count: the run keeps as many free places in it as the count allows.
    The allotted seats somebody holds go to `allotted_held`."""
    for m, p, z, r, n, c, series in db.execute(
            "SELECT a.manifestation_code, a.performance_code, a.zone_code, a.row, a.number, "
            "a.category_code, z.capacity IS NOT NULL FROM allotment a JOIN zone z ON "
            "z.manifestation_code = a.manifestation_code AND z.code = a.zone_code "
            "ORDER BY 1, 2, 3, 4, 5"):
        key = (m, p, z)
        if (r, n) in sold.get(key, ()):
            allotted_held.add((key, r, n))
            continue
        if (m, c) not in prices:
            continue
        if key in left:
            if left[key] <= 0:
                continue
            left[key] -= 1
        yield FreeSeat(m, p, z, r, n, c, series)


# -- decide and write: one operation after the other --------------------------------------

class _Batch:
    """New tickets, status changes and journal lines waiting to be written together."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.tickets: list[Ticket] = []
        self.operations: list[Operation] = []
        self.status_updates: list[tuple[str, str]] = []
        self.pending: dict[str, int] = {}  # number → index in `tickets` until flushed

    def add_ticket(self, ticket: Ticket) -> None:
        self.pending[ticket.number] = len(self.tickets)
        self.tickets.append(ticket)

    def set_status(self, number: str, status: str) -> None:
        index = self.pending.get(number)
        if index is None:
            self.status_updates.append((status, number))
        else:
            self.tickets[index] = self.tickets[index]._replace(status=status)

    def flush(self) -> None:
        self.db.executemany("UPDATE ticket SET status = ? WHERE number = ?",
                            self.status_updates)
        self.db.executemany(INSERT_TICKET, self.tickets)
        self.db.executemany(INSERT_OPERATION, self.operations)
        self.status_updates.clear()
        self.tickets.clear()
        self.operations.clear()
        self.pending.clear()


class _Run:
    """One generation: each step draws from `rng` in a fixed order, so a seed replays it."""

    def __init__(self, stock: Stock, rng: random.Random, *, numbers: Iterator[str],
                 batch: _Batch):
        self.stock = stock
        self.random = rng.random
        self.randrange = rng.randrange
        self.numbers = numbers
        self.batch = batch

    def play(self, count: int, *, start: datetime) -> dict[str, int]:
        counts = {"SALE": 0, "DUPLICATE": 0, "REFUND": 0}
        step = timedelta(milliseconds=1)
        steps = {"SALE": self.sell, "DUPLICATE": self.duplicate, "REFUND": self.refund}
        for i in range(count):
            kind = self.choose()
            steps[kind](moment(start + step * i))
            counts[kind] += 1
            if len(self.batch.operations) >= BATCH_SIZE:
                self.batch.flush()
        self.batch.flush()
        return counts

    def choose(self) -> str:
        r = self.random()
        active, free = self.stock.active, self.stock.free
        if active and (r < 0.08 or (not free and r < 0.5)):
            return "DUPLICATE"
        if active and (r < 0.16 or not free):
            return "REFUND"
        return "SALE"

    def sell(self, time: str) -> None:
        free = self.stock.free
        index = self.randrange(len(free))
        seat = free[index]
        free[index] = free[-1]
        free.pop()
        if seat.zone_key in self.stock.quotas:
            self.stock.quotas[seat.zone_key] -= 1
        options = self.stock.prices[(seat.manifestation_code, seat.category_code)]
        tariff, cents = options[self.randrange(len(options))]
        buyer = BUYERS[self.randrange(len(BUYERS))]
        ticket = Ticket(
            number=next(self.numbers), manifestation_code=seat.manifestation_code,
            performance_code=seat.performance_code, zone_code=seat.zone_code, row=seat.row,
            seat=seat.seat, category_code=seat.category_code, tariff_code=tariff,
            price_cents=cents, status="ACTIVE", from_quota=seat.from_quota,
            buyer_last_name=buyer.last_name, buyer_first_name=buyer.first_name,
            buyer_city=buyer.city, buyer_postal_code=buyer.postal_code,
            buyer_country=buyer.country, point_of_sale=POINT_OF_SALE)
        self.batch.add_ticket(ticket)
        self.stock.active.append(ticket)
        self.batch.operations.append(operation_for("SALE", ticket, original=None, time=time))

    def duplicate(self, time: str) -> None:
        active = self.stock.active
        index = self.randrange(len(active))
        old = active[index]
        self.batch.set_status(old.number, "REPLACED")
        new = old._replace(number=next(self.numbers))
        self.batch.add_ticket(new)
        active[index] = new
        self.batch.operations.append(
            operation_for("DUPLICATE", new, original=old.number, time=time))

    def refund(self, time: str) -> None:
        active = self.stock.active
        index = self.randrange(len(active))
        old = active[index]
        self.batch.set_status(old.number, "REFUNDED")
        active[index] = active[-1]
        active.pop()
        seat = FreeSeat(old.manifestation_code, old.performance_code, old.zone_code, old.row,
                        old.seat, old.category_code, old.from_quota)
        if (seat.zone_key, seat.row, seat.seat) not in self.stock.stranded:
            self.stock.free.append(seat)
        if seat.zone_key in self.stock.quotas:
            self.stock.quotas[seat.zone_key] += 1
        self.batch.operations.append(
            operation_for("REFUND", old, original=old.number, time=time))
