"""Ticketnet's tickets as it lists them (listTickets): every ticket of a manifestation or a
performance by number, its state and the times of the journal lines that issued and ended it."""

from __future__ import annotations

from typing import NamedTuple

from .catalogue import Catalogue
from .journal import TICKETS_CURSOR, Journal, check_page_size
from .rules import SimulatorError
from .store import Store

# The line that issued a ticket is the SALE or DUPLICATE whose ticket it is; the line that
# ended it names it as its original: the DUPLICATE that replaced it, or its REFUND.
_SELECT = """
SELECT t.number, t.status, issued.original_ticket_number, t.manifestation_code,
       t.performance_code, t.zone_code, t.row, t.seat, t.category_code, t.tariff_code,
       t.price_cents, issued.currency, issued.time, ended.time
FROM ticket t
JOIN operation issued ON issued.ticket_number = t.number AND issued.type <> 'REFUND'
LEFT JOIN operation ended ON ended.original_ticket_number = t.number
WHERE t.manifestation_code = ? {performance}AND t.number > ?
ORDER BY t.number LIMIT ?
"""
_SELECT_MANIFESTATION = _SELECT.format(performance="")
_SELECT_PERFORMANCE = _SELECT.format(performance="AND t.performance_code = ? ")


class ListedTicket(NamedTuple):
    """A ticket as listTickets sends it; times are the journal's text (UTC, with offset)."""

    number: str
    status: str  # ACTIVE, REPLACED (duplicated) or REFUNDED
    original_ticket_number: str | None  # the ticket a duplicate replaces
    manifestation_code: str
    performance_code: str
    zone_code: str
    row: int
    seat: int
    category_code: str
    tariff_code: str
    price_cents: int
    currency: str
    issued_at: str
    ended_at: str | None


class Tickets:
    def __init__(self, store: Store, catalogue: Catalogue, journal: Journal):
        self.store = store
        self.catalogue = catalogue
        self.journal = journal

    def list_tickets(self, *, manifestation_code: str, performance_code: str | None = None,
                     cursor: str | None = None,
                     page_size: int) -> tuple[list[ListedTicket], str, bool]:
        """The tickets after `cursor` by number, of one manifestation, or of one performance
        of it: (tickets, next cursor, has more). A cursor is good for the listing that
        issued it only (same manifestation and performance)."""
        check_page_size(page_size)
        m = self.catalogue.check_manifestation(manifestation_code)
        p = performance_code or ""
        if p:
            self.catalogue.check_performance(m, p)
        after = self._after(cursor, m, p) if cursor else ""
        if p:
            query, params = _SELECT_PERFORMANCE, (m, p, after, page_size + 1)
        else:
            query, params = _SELECT_MANIFESTATION, (m, after, page_size + 1)
        rows = self.store.db().execute(query, params).fetchall()
        has_more = len(rows) > page_size
        tickets = [ListedTicket._make(row) for row in rows[:page_size]]
        last = tickets[-1].number if tickets else after
        return tickets, self.journal.cursor_encode(TICKETS_CURSOR, m, p, last), has_more

    def _after(self, cursor: str, m: str, p: str) -> str:
        cursor_m, cursor_p, after = self.journal.cursor_decode(TICKETS_CURSOR, cursor, parts=3)
        if (cursor_m, cursor_p) != (m, p):
            raise SimulatorError(
                "INVALID_CURSOR", "This cursor lists the tickets of another manifestation or "
                "performance: send the cursor of this listing's last page, or none.")
        return after
