"""Step two of a page: each line decided in memory, in the journal's order — sold, duplicated,
refunded, or parked with its reason (quota, place held, price policy, original ticket)."""

from __future__ import annotations

from django.utils import timezone

from catalog.series import series_contains
from channels.models import ExternalSalesInterface
from texts import choice, text

from ..models import Ticket
from ..types import ApplyResult, OperationLine, OperationType, ParkReason, ResolvedOperation
from .chains import chain_head, chain_register, chains_advance
from .messages import money
from .page import Page, Park, new_ticket, place_key, seat_key, ticket_key

# Reasons found before a new ticket's number is looked at (see _sell and _duplicate).
_BEFORE_NUMBER_CHECK = frozenset({ParkReason.INVALID_LINE, ParkReason.TICKET_NUMBER_TAKEN})
# Reasons found after a sale's place is looked at (see _sell).
_AFTER_PLACE_CHECK = frozenset({ParkReason.PRICE_UNKNOWN, ParkReason.PRICE_DIFFERENCE,
                                ParkReason.WAITING_FOR_ORIGINAL})

_Policy = ExternalSalesInterface.PricePolicy


def operation_decide(page: Page, op: ResolvedOperation, result: ApplyResult) -> None:
    """Apply one line to the page in memory, or park it; count it in `result`."""
    line = op.line
    if page.replay:
        # The chains outside the batch as they stood at this line in the journal.
        chains_advance(page, page.parked_existing[line.operation_id].position)
    if line.operation_id in page.integrated:
        result.already_integrated += 1
        return
    # A line seen twice in a page is applied (or parked) once.
    page.integrated.add(line.operation_id)
    if op.problem is not None:
        # Found by the resolution, before anything else is looked at.
        _record(page, Park(op, op.problem.reason, dict(op.problem.params)))
        return
    if line.type == OperationType.SALE:
        if _sell(page, op):
            result.sold += 1
            page.applied.append(op)
    elif line.type == OperationType.DUPLICATE:
        if _duplicate(page, op):
            result.duplicated += 1
            page.applied.append(op)
    elif _refund(page, op):
        result.refunded += 1
        page.applied.append(op)


def _record(page: Page, park: Park) -> None:
    page.parks.append(park)
    chain_register(page, park)


def _park(page: Page, op: ResolvedOperation, reason: ParkReason, *, head=None,
          **params) -> None:
    _record(page, Park(op, reason, params, head=head))
    if not page.optimistic:
        return
    # What this line would have been parked for, had the page read it first.
    if (reason not in _BEFORE_NUMBER_CHECK and op.line.type != OperationType.REFUND
            and op.line.ticket_number):
        page.unread_numbers.append(op.line.ticket_number)
    if (reason in _AFTER_PLACE_CHECK and op.product is None
            and op.line.type == OperationType.SALE):
        if op.seat is not None:
            page.unread_places.append(seat_key(op.performance.id, op.seat.id))
        else:
            page.unread_places.append(place_key(op.performance.id, op.zone.id,
                                                op.series_row, op.series_number))


def _wait(page: Page, op: ResolvedOperation, head) -> None:
    """Park a line that depends on a parked chain: it waits in it, not a problem of its own."""
    _park(page, op, ParkReason.WAITING_FOR_ORIGINAL, head=head)


def _price(page: Page, op: ResolvedOperation, *, event_id: int,
           performance_id: int | None) -> int | None:
    """The price the ticket is booked at under the interface's policy, or None (parked)."""
    line = op.line
    ours = None
    category_id, tariff_id = op.category.id, op.tariff.id
    if performance_id is not None:
        ours = page.prices.get((event_id, performance_id, category_id, tariff_id))
    if ours is None:
        ours = page.prices.get((event_id, None, category_id, tariff_id))
    theirs = line.price_cents
    policy = page.interface.price_policy
    if policy == _Policy.USE:
        return theirs
    if ours is None:
        _park(page, op, ParkReason.PRICE_UNKNOWN)
        return None
    if policy == _Policy.ERROR and ours != theirs:
        _park(page, op, ParkReason.PRICE_DIFFERENCE, ours=money(ours, line.currency))
        return None
    return ours


def _sold_ticket(page: Page, op: ResolvedOperation, price: int, **place) -> Ticket:
    """A new valid ticket for a SALE, at `price` under the policy, held by the buyer;
    `place`: a performance and its seat or series place, or a pass product."""
    line = op.line
    ticket = new_ticket(
        interface_id=page.interface.id,
        number=line.ticket_number,
        category_id=op.category.id,
        tariff_id=op.tariff.id,
        price_cents=price,
        reseller_price_cents=line.price_cents,
        operation_id=line.operation_id,
        buyer_last_name=line.buyer_last_name,
        buyer_first_name=line.buyer_first_name,
        buyer_city=line.buyer_city,
        buyer_postal_code=line.buyer_postal_code,
        buyer_country=line.buyer_country,
        sold_at=line.time or timezone.now(),
        **place,
    )
    page.tickets[ticket.number] = ticket
    page.new_tickets.append(ticket)
    page.new_sales.append(ticket)
    return ticket


def _sell_pass(page: Page, op: ResolvedOperation) -> bool:
    line = op.line
    if op.category is None or op.tariff is None or not line.ticket_number:
        _park(page, op, ParkReason.INVALID_LINE,
              detail=text("product, category, tariff or ticket number missing"))
        return False
    if line.ticket_number in page.tickets:
        _park(page, op, ParkReason.TICKET_NUMBER_TAKEN)
        return False
    price = _price(page, op, event_id=op.product.pk, performance_id=None)
    if price is None:
        return False
    _sold_ticket(page, op, price, product_id=op.product.pk, valid_from=line.valid_from,
                 valid_until=line.valid_until)
    return True


def _sell(page: Page, op: ResolvedOperation) -> bool:
    if op.product is not None:
        return _sell_pass(page, op)
    line = op.line
    numbered = op.seat is not None
    if op.performance is None or op.category is None or op.tariff is None or not (
        numbered or (op.zone is not None and op.series_row and op.series_number)
    ) or not line.ticket_number:
        _park(page, op, ParkReason.INVALID_LINE,
              detail=text("performance, place, category, tariff or ticket number missing"))
        return False
    perf = op.performance
    if line.ticket_number in page.tickets:
        _park(page, op, ParkReason.TICKET_NUMBER_TAKEN)
        return False
    if perf.cancelled:
        _park(page, op, ParkReason.PERFORMANCE_CANCELLED)
        return False
    if perf.closed:
        _park(page, op, ParkReason.PERFORMANCE_CLOSED)
        return False
    perf_id = perf.id
    if numbered:
        seat_id = op.seat.id
        key = seat_key(perf_id, seat_id)
        in_quota = (perf_id, seat_id) in page.quota_seats
    else:
        zone_id = op.zone.id
        key = place_key(perf_id, zone_id, op.series_row, op.series_number)
        # The first places of the zone's series: those in the quota, or sent to Ticketnet
        # (see sales.allotments).
        in_quota = series_contains(page.quota_places.get((perf_id, zone_id), 0),
                                   op.series_row, op.series_number)
    if not in_quota:
        _park(page, op, ParkReason.NOT_IN_QUOTA)
        return False
    holder = page.occupied.get(key)
    passes_over = holder is not None and _passes_over(page, op, holder)
    if holder is not None and not passes_over:
        _park(page, op, ParkReason.SEAT_ALREADY_SOLD, holder=holder)
        return False
    head = chain_head(page, line)
    if head is not None:
        # A parked sale holds the place in Ticketnet's journal: had it been integrated, this
        # sale would have been refused; it is decided after that sale.
        _wait(page, op, head)
        return False
    price = _price(page, op, event_id=perf.event_id, performance_id=perf_id)
    if price is None:
        return False
    if passes_over:
        page.shadowed[key] = (holder, line.operation_id)
    ticket = _sold_ticket(
        page, op, price,
        performance_id=perf_id,
        seat_id=seat_id if numbered else None,
        zone_id=None if numbered else zone_id,
        series_row=None if numbered else op.series_row,
        series_number=None if numbered else op.series_number,
    )
    page.occupied[key] = ticket.number
    return True


def _passes_over(page: Page, op: ResolvedOperation, holder: str) -> bool:
    """Replay: a parked sale integrated now, whose place was sold again while it waited
    (refunded in Ticketnet's journal since), takes it without refusing the later holder; the
    replay checks that the sale's chain indeed ends refunded (`shadowed`)."""
    if not page.replay or op.line.operation_id in page.conflicting:
        return False
    held_by = page.tickets.get(holder)
    # A ticket of the batch itself was sold before this sale in the journal: a real clash.
    return held_by is None or held_by.pk is not None


def _target(page: Page, op: ResolvedOperation) -> Ticket | None:
    target_number = op.line.target_ticket_number
    target = page.tickets.get(target_number) if target_number else None
    if target is None:
        head = chain_head(page, op.line)
        if head is not None:
            _wait(page, op, head)
        else:
            _park(page, op, ParkReason.ORIGINAL_UNKNOWN)
        return None
    if target.state != Ticket.State.VALID:
        _park(page, op, ParkReason.ORIGINAL_NOT_VALID, state=choice(target, "state"))
        return None
    return target


def _end(page: Page, ticket: Ticket, state: str, line: OperationLine) -> None:
    ticket.state = state
    ticket.ended_by_operation_id = line.operation_id
    ticket.ended_at = line.time or timezone.now()
    if ticket.pk is not None:
        page.changed[ticket.pk] = ticket
    key = ticket_key(ticket)
    if page.occupied.get(key) == ticket.number:
        del page.occupied[key]
        if state == Ticket.State.CANCELLED and key in page.shadowed:
            # Replay: the refund gives the place back to the holder the sale passed over.
            page.occupied[key] = page.shadowed.pop(key)[0]


def _duplicate(page: Page, op: ResolvedOperation) -> bool:
    line = op.line
    if not line.ticket_number or line.ticket_number in page.tickets:
        _park(page, op, ParkReason.TICKET_NUMBER_TAKEN)
        return False
    original = _target(page, op)
    if original is None:
        return False
    _end(page, original, Ticket.State.INVALIDATED, line)
    ticket = new_ticket(
        interface_id=page.interface.pk,
        number=line.ticket_number,
        performance_id=original.performance_id,
        product_id=original.product_id,
        valid_from=original.valid_from,
        valid_until=original.valid_until,
        seat_id=original.seat_id,
        zone_id=original.zone_id,
        series_row=original.series_row,
        series_number=original.series_number,
        category_id=original.category_id,
        tariff_id=original.tariff_id,
        price_cents=original.price_cents,
        reseller_price_cents=original.reseller_price_cents,
        operation_id=line.operation_id,
        buyer_last_name=line.buyer_last_name or original.buyer_last_name,
        buyer_first_name=line.buyer_first_name or original.buyer_first_name,
        buyer_city=line.buyer_city or original.buyer_city,
        buyer_postal_code=line.buyer_postal_code or original.buyer_postal_code,
        buyer_country=line.buyer_country or original.buyer_country,
        sold_at=original.sold_at,
    )
    if original.pk is not None:
        ticket.original_id = original.pk
        # A reprint stays in its original's order.
        ticket.order_id = original.order_id
    else:
        page.pending_originals[id(ticket)] = original
        page.new_sales.append(ticket)  # its original's order is created with the page
    page.tickets[ticket.number] = ticket
    page.occupied[ticket_key(ticket)] = ticket.number
    page.new_tickets.append(ticket)
    return True


def _refund(page: Page, op: ResolvedOperation) -> bool:
    ticket = _target(page, op)
    if ticket is None:
        return False
    _end(page, ticket, Ticket.State.CANCELLED, op.line)
    return True
