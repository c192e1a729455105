"""Step one of a page: read, in a handful of queries whatever its length, the tickets, places,
quota and prices it touches; and, on the optimistic path, check afterwards what was not read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db.models import Q

from catalog.models import Price, SeatAllocation
from channels.models import ExternalSalesInterface

from ..allotments import zone_places_sellable
from ..bulk import any_of, keys_without_rows, rows_matching
from ..models import IntegratedOperation, ParkedOperation, Ticket
from ..types import OperationType, ResolvedOperation
from .chains import ISSUING, chains_load, line_place
from .page import (
    TICKET_ATTNAMES,
    Clash,
    Page,
    place_key,
    seat_key,
    ticket_key,
    tickets_from_rows,
)

_VALID = {"state": Ticket.State.VALID}
_PLACE_COLUMNS = ["performance_id", "zone_id", "series_row", "series_number"]


def _seat_holders(seat_keys: set[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """(number, performance id, seat id) of the valid tickets on exactly these (performance,
    seat) pairs."""
    return rows_matching(Ticket, columns=["number", "performance_id", "seat_id"],
                         match=["performance_id", "seat_id"], keys=seat_keys, filters=_VALID)


def _place_holders(place_keys: set[tuple[int, int, int, int]]) -> list[tuple]:
    """(number, performance id, zone id, series row, series number) of the valid tickets on
    exactly these places of non-numbered zones."""
    return rows_matching(Ticket, columns=["number", *_PLACE_COLUMNS], match=_PLACE_COLUMNS,
                         keys=place_keys, filters=_VALID)


def page_load(*, interface: ExternalSalesInterface, operations: Sequence[ResolvedOperation],
              optimistic: bool = False,
              parked: Sequence[ParkedOperation] | None = None,
              overlay: Mapping[str, Ticket] | None = None) -> Page:
    """Read what the page needs. Optimistic: neither the operation ids already integrated
    nor the places sold nor the new ticket numbers are read (the unique indexes answer for
    them when the page is written, `unread_check` for what they cannot see). `parked`: a
    replay's own parked lines, read already. `overlay`: the tickets the previous page made
    or ended, by number, as it left them (it may not be committed yet: sales.pipeline)."""
    page = Page(interface=interface, optimistic=optimistic, replay=parked is not None)
    op_ids = list({op.line.operation_id for op in operations})
    if not optimistic:
        page.integrated = set(
            IntegratedOperation.objects.filter(any_of("operation_id", op_ids),
                                               interface=interface)
            .values_list("operation_id", flat=True)
        )
    _load_parked(page, operations, op_ids, parked)
    _load_tickets(page, operations, overlay)
    sales = [op for op in operations if op.line.type == OperationType.SALE
             and op.problem is None and op.performance is not None]
    _load_places(page, sales)
    _load_prices(page, operations, sales)
    return page


_CHAIN_COLUMNS = ["position", "id", "waiting_for_id", "operation_id", "type", "ticket_number",
                  "place"]


def _load_parked(page: Page, operations: Sequence[ResolvedOperation], op_ids: list[str],
                 parked: Sequence[ParkedOperation] | None) -> None:
    """In one query, the open parked chains the page meets (those issuing the tickets it
    duplicates or refunds, or holding the places it sells) and which of its lines were
    parked before."""
    targets, places = set(), set()
    for op in operations:
        line = op.line
        if line.type == OperationType.SALE:
            places.add(line_place(line))
        elif line.target_ticket_number:
            targets.add(line.target_ticket_number)
    places.discard("")
    rows = ParkedOperation.objects.filter(interface=page.interface).order_by()
    chains = rows.filter(resolved_at=None)
    # One branch per index, each probed by its own (an OR of them, with the heads joined,
    # was planned as a scan of the whole table); only the columns the chains need.
    branches = [chains.filter(any_of("ticket_number", targets), type__in=ISSUING),
                chains.filter(any_of("place", places))]
    if parked is None:
        branches.append(rows.filter(any_of("operation_id", op_ids)))
    else:
        page.parked_existing = {p.operation_id: p for p in parked}
    branches = [branch.values_list(*_CHAIN_COLUMNS) for branch in branches]
    own, seen, chain_rows, parked_before = set(op_ids), set(), [], []
    for row in branches[0].union(*branches[1:], all=True).order_by("position", "id"):
        if row[1] in seen:
            continue
        seen.add(row[1])
        if row[3] not in own:
            chain_rows.append(row)
        elif parked is None:
            parked_before.append(row[1])
    if parked_before:
        # The page's own lines parked before (Ticketnet's journal read again): rare.
        page.parked_existing = {p.operation_id: p for p in rows.filter(
            any_of("pk", parked_before)).defer("message")}
    chains_load(page, chain_rows)


def _load_tickets(page: Page, operations: Sequence[ResolvedOperation],
                  overlay: Mapping[str, Ticket] | None) -> None:
    """The tickets the page duplicates or refunds and, unless optimistic, those holding the
    numbers it issues; those of `overlay` as it has them."""
    numbers = set()
    for op in operations:
        if op.line.ticket_number and not page.optimistic:
            numbers.add(op.line.ticket_number)
        if op.line.target_ticket_number:
            numbers.add(op.line.target_ticket_number)
    if numbers:
        found = Ticket.objects.filter(any_of("number", numbers), interface=page.interface)
        page.tickets = {
            t.number: t
            for t in tickets_from_rows(found.order_by().values_list(*TICKET_ATTNAMES),
                                       db=found.db)
        }
        if overlay:
            page.tickets.update((n, overlay[n]) for n in numbers if n in overlay)


def _load_places(page: Page, sales: list[ResolvedOperation]) -> None:
    """The quota of the places the page sells and, unless optimistic, who holds them."""
    seat_keys = {(op.performance.id, op.seat.id) for op in sales if op.seat is not None}
    place_keys = {(op.performance.id, op.zone.id, op.series_row, op.series_number)
                  for op in sales if op.zone is not None and op.seat is None}
    quota_id = page.interface.external_quota_id
    if seat_keys:
        # The page's seats in the quota: all but those found outside it (usually none), by
        # probes, since the planner merged the whole quota otherwise (45 ms a page).
        page.quota_seats = seat_keys - keys_without_rows(
            SeatAllocation, match=["performance_id", "seat_id"], keys=seat_keys,
            filters={"quota_id": quota_id})
        if not page.optimistic:
            for number, perf_id, seat_id in _seat_holders(seat_keys):
                page.occupied[seat_key(perf_id, seat_id)] = number
    if place_keys:
        page.quota_places = zone_places_sellable(
            interface=page.interface, keys={k[:2] for k in place_keys})
        if not page.optimistic:
            for number, perf_id, zone_id, row, n in _place_holders(place_keys):
                page.occupied[place_key(perf_id, zone_id, row, n)] = number
    # Tickets the page duplicates or refunds hold their places too.
    for t in page.tickets.values():
        if t.state == Ticket.State.VALID:
            page.occupied.setdefault(ticket_key(t), t.number)


def _load_prices(page: Page, operations: Sequence[ResolvedOperation],
                 sales: list[ResolvedOperation]) -> None:
    passes = [op for op in operations if op.line.type == OperationType.SALE
              and op.problem is None and op.product is not None]
    if passes:
        # A pass is priced on its product, for the whole product (no performance).
        for event_id, cat_id, tariff_id, amount in Price.objects.filter(
            event_id__in={op.product.pk for op in passes}, performance__isnull=True,
            tariff_id__in={op.tariff.pk for op in passes if op.tariff is not None},
        ).values_list("event_id", "category_id", "tariff_id", "amount_cents"):
            page.prices[(event_id, None, cat_id, tariff_id)] = amount
    if sales:
        perf_ids = {op.performance.id for op in sales}
        event_ids = {op.performance.event_id for op in sales}
        category_ids = {op.category.id for op in sales if op.category is not None}
        tariff_ids = {op.tariff.id for op in sales if op.tariff is not None}
        for event_id, perf_id, cat_id, tariff_id, amount in Price.objects.filter(
            event_id__in=event_ids, category_id__in=category_ids, tariff_id__in=tariff_ids
        ).filter(Q(performance__isnull=True) | Q(performance_id__in=perf_ids)).values_list(
            "event_id", "performance_id", "category_id", "tariff_id", "amount_cents"
        ):
            page.prices[(event_id, perf_id, cat_id, tariff_id)] = amount


def unread_check(page: Page) -> None:
    """Optimistic path: what the unique indexes will not check when the page is written.
    A line parked may have been integrated already (it would only be counted then); a
    ticket sold and ended within the page is written ended, so its place is checked
    here; a line parked for a reason found after the number check (or the place check)
    would have been parked for its number (or its place) had it been read, so those are
    checked too. All are few (most pages have none); a clash sends the page down the
    reading path."""
    interface_id = page.interface.pk
    parked_ids = [park.op.line.operation_id for park in page.parks]
    if parked_ids and IntegratedOperation.objects.filter(
        any_of("operation_id", parked_ids), interface_id=interface_id
    ).exists():
        raise Clash("a line parked in the page was integrated already")
    if page.unread_numbers and Ticket.objects.filter(
        any_of("number", page.unread_numbers), interface_id=interface_id
    ).exists():
        raise Clash("a line parked in the page has a ticket number already used")
    keys = [ticket_key(t) for t in page.new_tickets
            if t.state != Ticket.State.VALID and t.product_id is None]
    keys += page.unread_places
    if not keys:
        return
    seats = {(k[1], k[2]) for k in keys if k[0] == "s"}
    places = {k[1:] for k in keys if k[0] == "p"}
    held = [row[0] for row in _seat_holders(seats)]
    held += [row[0] for row in _place_holders(places)]
    # A holder the page read (an original it duplicates or refunds) was accounted for.
    outside = [number for number in held if number not in page.tickets]
    if outside:
        raise Clash(f"a place the page sold and ended, or parked, is held by ticket "
                    f"{outside[0]}")
