"""Ticketnet's own box office in the simulator: sell an allotted seat or a place of a zone's
series, reprint (duplicate) or refund a ticket, each written to the journal; and what is free.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from itertools import islice

from .catalogue import Catalogue, known_code
from .journal import Journal
from .rules import SimulatorError, check_code, check_seat_number
from .store import INSERT_TICKET, TICKET_COLUMNS, Store, Ticket

POINT_OF_SALE = "TKN"
SELECT_TICKET = f"SELECT {TICKET_COLUMNS} FROM ticket WHERE number = ?"  # noqa: S608


class BoxOffice:
    def __init__(self, store: Store, catalogue: Catalogue, journal: Journal):
        self.store = store
        self.catalogue = catalogue
        self.journal = journal

    def sell(self, *, manifestation: str, performance: str, zone: str, row: int | str,
             seat: int | str, category: str, tariff: str, price_cents: int,
             buyer_last_name: str = "", buyer_first_name: str = "", buyer_city: str = "",
             buyer_postal_code: str = "", buyer_country: str = "",
             point_of_sale: str = POINT_OF_SALE) -> dict:
        """Sell one allotted seat, or one place of a zone's series the allotment sent while
        the zone's count (the last quota sync's) has some left; returns the ticket."""
        m, p = str(manifestation), str(performance)
        self.catalogue.check_performance(m, p)
        zone = check_code(str(zone), "zone code")
        row_n = check_seat_number(row, "row")
        seat_n = check_seat_number(seat, "seat number")
        expected = self.catalogue.seat_category(m, zone, row_n, seat_n)
        series = self.catalogue.zone(m, zone).capacity is not None
        if expected != str(category):
            raise SimulatorError("CATEGORY_MISMATCH", f"Seat {row_n}-{seat_n} of zone {zone} is "
                                 f"in seat category {expected}, not {category}.")
        known_code(str(tariff), self.catalogue.tariff_codes(m), "UNKNOWN_TARIFF", "tariff", m)
        if not isinstance(price_cents, int) or price_cents < 0:
            raise SimulatorError("INVALID_PRICE", "The price must be a whole number of cents.")
        with self.store.write() as db:
            _take_seat(db, m, p, zone, row_n, seat_n, series=series)
            ticket = Ticket(
                number=next(self.store.issue_ticket_numbers(db, 1)), manifestation_code=m,
                performance_code=p, zone_code=zone, row=row_n, seat=seat_n,
                category_code=str(category), tariff_code=str(tariff), price_cents=price_cents,
                status="ACTIVE", from_quota=int(series), buyer_last_name=buyer_last_name,
                buyer_first_name=buyer_first_name, buyer_city=buyer_city,
                buyer_postal_code=buyer_postal_code, buyer_country=buyer_country,
                point_of_sale=point_of_sale)
            db.execute(INSERT_TICKET, ticket)
            self.journal.record(db, "SALE", ticket, None)
        return self.ticket(ticket.number)

    def duplicate(self, ticket_number: str) -> dict:
        """Reprint: the ticket is invalidated and a new number issued for the same seat."""
        with self.store.write() as db:
            old = _active_ticket(db, ticket_number)
            db.execute("UPDATE ticket SET status = 'REPLACED' WHERE number = ?", (ticket_number,))
            ticket = old._replace(number=next(self.store.issue_ticket_numbers(db, 1)))
            db.execute(INSERT_TICKET, ticket)
            self.journal.record(db, "DUPLICATE", ticket, ticket_number)
        return self.ticket(ticket.number)

    def refund(self, ticket_number: str) -> dict:
        """The ticket is cancelled and its seat goes back to Ticketnet's allotment (a place of
        a series also gives one back to the zone's count, when one was synced)."""
        with self.store.write() as db:
            old = _active_ticket(db, ticket_number)
            db.execute("UPDATE ticket SET status = 'REFUNDED' WHERE number = ?", (ticket_number,))
            if old.from_quota:
                db.execute("UPDATE zone_quota SET available = available + 1 WHERE "
                           "manifestation_code = ? AND performance_code = ? AND zone_code = ?",
                           (old.manifestation_code, old.performance_code, old.zone_code))
            self.journal.record(db, "REFUND", old, ticket_number)
        return self.ticket(ticket_number)

    def ticket(self, number: str) -> dict:
        row = self.store.db().execute(SELECT_TICKET, (number,)).fetchone()
        if row is None:
            raise SimulatorError("UNKNOWN_TICKET", f"Ticket {number} does not exist.")
        ticket = Ticket._make(row)._asdict()
        ticket["from_quota"] = bool(ticket["from_quota"])
        return ticket

    def free_seats(self, *, manifestation: str, performance: str, limit: int = 10) -> list[dict]:
        """Seats Ticketnet may sell now on a performance: allotted seats and places nobody
        holds, a zone with a count (the last quota sync's) giving no more than it; each with
        its category and the manifestation's prices for it (`tariffs`: [{tariff, price_cents}])."""
        m, p = str(manifestation), str(performance)
        self.catalogue.check_performance(m, p)
        db = self.store.db()
        prices: dict[str, list[dict]] = {}
        for c, t, cents in db.execute("SELECT category_code, tariff_code, cents FROM price "
                                      "WHERE manifestation_code = ? ORDER BY 1, 2", (m,)):
            prices.setdefault(c, []).append({"tariff": t, "price_cents": cents})
        sold: dict[str, set[tuple[int, int]]] = {}
        for z, r, n in db.execute("SELECT zone_code, row, seat FROM ticket WHERE "
                                  "manifestation_code = ? AND performance_code = ? AND "
                                  "status = 'ACTIVE'", (m, p)):
            sold.setdefault(z, set()).add((r, n))
        seats = self._free_places(db, m, p, sold, prices)
        return [{"zone": z, "row": r, "seat": n, "category": c, "tariffs": prices[c]}
                for z, r, n, c in islice(seats, max(limit, 0))]

    @staticmethod
    def _free_places(db: sqlite3.Connection, m: str, p: str, sold: dict[str, set],
                     prices: dict) -> Iterator[tuple[str, int, int, str]]:
        """(zone, row, seat, category) of what is free and priced, in the plan's order."""
        left = dict(db.execute("SELECT zone_code, available FROM zone_quota WHERE "
                               "manifestation_code = ? AND performance_code = ?", (m, p)))
        for z, r, n, c in db.execute(
                "SELECT zone_code, row, number, category_code FROM allotment WHERE "
                "manifestation_code = ? AND performance_code = ? ORDER BY 1, 2, 3", (m, p)):
            if (r, n) in sold.get(z, ()) or c not in prices:
                continue
            if z in left:
                if left[z] <= 0:
                    continue
                left[z] -= 1
            yield z, r, n, c

    def overview(self) -> dict[str, int]:
        """Tickets by status."""
        return dict(self.store.db().execute("SELECT status, count(*) FROM ticket "
                                            "GROUP BY status"))


def _take_seat(db: sqlite3.Connection, m: str, p: str, zone: str, row: int, seat: int, *,
               series: bool) -> None:
    """Hold the seat for a sale: it must be allotted and free. A place of a series also takes
    one from the zone's count, when a quota sync set one since the last allotment export."""
    held = db.execute("SELECT 1 FROM ticket WHERE manifestation_code = ? AND performance_code = ? "
                      "AND zone_code = ? AND row = ? AND seat = ? AND status = 'ACTIVE'",
                      (m, p, zone, row, seat)).fetchone()
    if held:
        raise SimulatorError("SEAT_ALREADY_SOLD", f"Seat {row}-{seat} of zone {zone} "
                             f"of performance {p} is already sold.")
    allotted = db.execute("SELECT 1 FROM allotment WHERE manifestation_code = ? AND "
                          "performance_code = ? AND zone_code = ? AND row = ? AND number = ?",
                          (m, p, zone, row, seat)).fetchone()
    if not allotted:
        raise SimulatorError(
            "SEAT_NOT_ALLOTTED",
            f"Seat {row}-{seat} of zone {zone} of performance {p} is not in Ticketnet's "
            "allotment: export the allotment first (a non-numbered zone sells only the places "
            "of its series the allotment export sent).")
    if not series:
        return
    count = db.execute("SELECT available FROM zone_quota WHERE manifestation_code = ? AND "
                       "performance_code = ? AND zone_code = ?", (m, p, zone)).fetchone()
    if count is None:
        return
    if count[0] <= 0:
        raise SimulatorError(
            "ZONE_QUOTA_USED_UP",
            f"Zone {zone} of performance {p} has no place left to sell: the last quota sync "
            "allows no more sales than refunds since.")
    db.execute("UPDATE zone_quota SET available = available - 1 WHERE "
               "manifestation_code = ? AND performance_code = ? AND zone_code = ?",
               (m, p, zone))


def _active_ticket(db: sqlite3.Connection, ticket_number: str) -> Ticket:
    row = db.execute(SELECT_TICKET, (ticket_number,)).fetchone()
    if row is None:
        raise SimulatorError("UNKNOWN_TICKET", f"Ticket {ticket_number} does not exist.")
    ticket = Ticket._make(row)
    if ticket.status != "ACTIVE":
        raise SimulatorError("TICKET_CANCELLED", f"Ticket {ticket_number} is "
                             f"{ticket.status.lower()}: only a valid ticket can be duplicated "
                             "or refunded.")
    return ticket
