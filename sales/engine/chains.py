"""Open parked chains as a page sees them: a parked line heads a chain, and the later lines that
depend on it in Ticketnet's journal wait in it, so an integrated line never depends on a parked one.

A line depends on a parked line when it duplicates or refunds a ticket the parked line issued,
or sells the place that line still holds in Ticketnet's journal (sold, not refunded). Places
are Ticketnet's codes, not catalogue objects: a line parked for an unknown code holds its
place all the same."""

from __future__ import annotations

from mappings.validators import normalize_code

from ..models import ParkedOperation
from ..types import OperationLine, OperationType, ParkReason
from .page import Page, Park

_SALE, _DUPLICATE, _REFUND = OperationType.SALE, OperationType.DUPLICATE, OperationType.REFUND
# Ticket numbers are issued by sales and duplicates; places are taken by sales, given back
# by refunds.
ISSUING = (str(_SALE), str(_DUPLICATE))
HOLDING = (str(_SALE), str(_REFUND))


def line_place(line: OperationLine) -> str:
    """The place a SALE line sells, in Ticketnet's codes (`1701/2612012030/101/1/12`), or ""."""
    if line.row is None or line.seat is None or line.product_code:
        return ""
    return "/".join((normalize_code(line.manifestation_code), line.performance_code.strip(),
                     normalize_code(line.zone_code), str(line.row), str(line.seat)))


def chains_load(page: Page, rows: list[tuple]) -> None:
    """The open parked lines outside the page that issue the numbers it acts on or hold the
    places it sells: (position, id, head id, operation id, type, ticket number, place), in
    journal order. A page of new operations comes after all of them; a replay's lines are
    interleaved with them (`chains_advance`)."""
    page.chain_rows = rows
    page.chain_next = 0
    if not page.replay:
        chains_advance(page, None)


def chains_advance(page: Page, position: int | None) -> None:
    """The lines read by `chains_load` up to `position` in the journal (all with None) join
    the chains the page sees: a line is decided against the chains as they stood then."""
    rows, i = page.chain_rows, page.chain_next
    while i < len(rows) and (position is None or rows[i][0] < position):
        _pos, pk, head, operation_id, type_, number, place = rows[i]
        i += 1
        if head is None:
            head = pk
            page.head_operations[pk] = operation_id
        if type_ in ISSUING and number:
            page.chain_numbers[number] = head
            if place:
                page.number_places[number] = place
        if place and type_ in HOLDING:
            _hold(page, place, head, 1 if type_ == _SALE else -1)
    page.chain_next = i


def _hold(page: Page, place: str, head: Park | int, change: int) -> None:
    """A chain's sale takes the place (unless another chain holds it: a journal selling it
    twice), its refund gives it back."""
    hold = page.held.get(place)
    if change > 0:
        if hold is None:
            page.held[place] = [head, 1]
        elif hold[0] == head:
            hold[1] += 1
    elif hold is not None and hold[0] == head:
        hold[1] -= 1
        if not hold[1]:
            del page.held[place]


def chain_head(page: Page, line: OperationLine) -> Park | int | None:
    """The chain a line waits in, if one holds what it acts on: the ticket it duplicates or
    refunds (when no ticket has that number), or the place it sells."""
    if line.type == _SALE:
        if not page.held:
            return None
        hold = page.held.get(line_place(line))
        return None if hold is None else hold[0]
    target = line.target_ticket_number
    return page.chain_numbers.get(target) if target else None


def heads_name(page: Page) -> None:
    """Each waiting line's message names its chain's head: the operation ids of the heads that
    are parked lines not read with the page, in one query (none if there are none)."""
    waiting = [park for park in page.parks if park.head is not None]
    unknown = {park.head for park in waiting
               if not isinstance(park.head, Park) and park.head not in page.head_operations}
    if unknown:
        page.head_operations.update(ParkedOperation.objects.filter(pk__in=unknown)
                                    .values_list("pk", "operation_id"))
    for park in waiting:
        head = park.head
        park.params["waiting_for"] = (head.op.line.operation_id if isinstance(head, Park)
                                      else page.head_operations.get(head, "?"))


def chain_register(page: Page, park: Park) -> None:
    """A line the page parks joins its chain (it heads one unless it waits): the number it
    issues and the place it holds or gives back are the chain's from now on."""
    line = park.op.line
    head = park if park.head is None else park.head
    if line.type == _SALE:
        # A sale refused because its place is held here holds nothing in our world: a later
        # sale of that place meets the holder itself.
        if park.reason != ParkReason.SEAT_ALREADY_SOLD:
            park.place = line_place(line)
        if park.place:
            _hold(page, park.place, head, 1)
    else:
        park.place = page.number_places.get(line.target_ticket_number, "")
        if line.type == _REFUND and park.place:
            _hold(page, park.place, head, -1)
    number = line.ticket_number
    if line.type != _REFUND and number and number not in page.tickets:
        page.chain_numbers[number] = head
        if park.place:
            page.number_places[number] = park.place
