"""Sell, duplicate and refund Ticketnet tickets in bulk, on operations whose codes are already
resolved; idempotent on the operation id, and a line that cannot be applied is parked."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.base import ModelState
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.models import Price, SeatAllocation, ZoneAllocation
from channels.models import ExternalSalesInterface

from .bulk import (
    DEFAULT_BATCH_SIZE,
    bulk_insert,
    bulk_insert_rows,
    bulk_update_fields,
    rows_matching,
)
from .models import IntegratedOperation, Order, ParkedOperation, Ticket
from .types import ApplyResult, OperationType, ParkReason, Problem, ResolvedOperation

logger = logging.getLogger(__name__)

# Ticketnet sells a non-numbered zone as rows of this many seats (see the guide).
SERIES_ROW_LENGTH = 1000


class _Params(dict):
    """Message parameters: a missing one shows as “?” rather than breaking the parking."""

    def __missing__(self, key):
        return "?"


def _reason_templates() -> dict[ParkReason, str]:
    # Built at call time so gettext runs in the institution's language.
    return {
        ParkReason.UNKNOWN_CODE: _(
            "No correspondence for the Ticketnet %(kind)s code “%(code)s”: enter it in the "
            "interface's correspondences, then retry the line."
        ),
        ParkReason.INVALID_LINE: _(
            "The line is incomplete or invalid (%(detail)s): ask Ticketnet to check "
            "operation %(operation)s."
        ),
        ParkReason.PERFORMANCE_CLOSED: _(
            "The performance %(performance)s is closed and takes no more sales: reopen it, "
            "or have Ticketnet refund ticket %(number)s, then retry the line."
        ),
        ParkReason.NOT_IN_QUOTA: _(
            "The place %(place)s of performance %(performance)s is not in the Ticketnet "
            "quota: add it to the quota, then retry the line."
        ),
        ParkReason.SEAT_ALREADY_SOLD: _(
            "The place %(place)s of performance %(performance)s is already held by ticket "
            "%(holder)s: check with Ticketnet which sale is right."
        ),
        ParkReason.PRICE_DIFFERENCE: _(
            "Ticketnet sold ticket %(number)s at %(theirs)s but our price for category "
            "%(category)s and tariff %(tariff)s is %(ours)s: correct the price or the "
            "interface's reseller price policy, then retry the line."
        ),
        ParkReason.PRICE_UNKNOWN: _(
            "There is no price for category %(category)s and tariff %(tariff)s on "
            "performance %(performance)s: enter it in the catalogue, then retry the line."
        ),
        ParkReason.TICKET_NUMBER_TAKEN: _(
            "Ticket number %(number)s is already used on this interface: ask Ticketnet to "
            "check operation %(operation)s."
        ),
        ParkReason.ORIGINAL_UNKNOWN: _(
            "Ticket %(target)s is unknown: integrate its sale first (it may be parked), "
            "then retry the line."
        ),
        ParkReason.ORIGINAL_NOT_VALID: _(
            "Ticket %(target)s is already %(state)s: it cannot be duplicated or refunded; "
            "ask Ticketnet to check operation %(operation)s."
        ),
        ParkReason.UNKNOWN_PRODUCT: _(
            "No %(kinds)s product has the code “%(code)s”: create it in the catalogue (or "
            "correct its code), then retry the line."
        ),
        ParkReason.UNKNOWN_TARIFF: _(
            "No tariff has the code “%(code)s”: create it in the catalogue (or correct its "
            "code), then retry the line."
        ),
        ParkReason.TARIFF_NOT_FOR_RESELLERS: _(
            "The tariff “%(code)s” is of audience type %(audience)s: resellers may only sell "
            "tariffs of type occasional contact or occasional collectivity. Change its "
            "audience type, then retry the line."
        ),
    }


def _money(cents: int | None, currency: str) -> str:
    if cents is None:
        return "?"
    return f"{cents / 100:.2f} {currency or ''}".strip()


@dataclass(slots=True)
class _Park:
    op: ResolvedOperation
    reason: ParkReason
    params: dict


def _seat_key(perf_id, seat_id):
    return ("s", perf_id, seat_id)


def _place_key(perf_id, zone_id, row, number):
    return ("p", perf_id, zone_id, row, number)


def _ticket_key(ticket: Ticket):
    if ticket.product_id is not None:
        return ("pass", ticket.number)  # a pass holds no place: nothing to occupy
    if ticket.seat_id is not None:
        return _seat_key(ticket.performance_id, ticket.seat_id)
    return _place_key(ticket.performance_id, ticket.zone_id, ticket.series_row,
                      ticket.series_number)


_TICKET_DEFAULTS = {
    f.attname: (None if f.null or f.primary_key else f.get_default())
    for f in Ticket._meta.concrete_fields
}
_TICKET_DEFAULTS["state"] = Ticket.State.VALID


def _new_ticket(**values) -> Ticket:
    """A new Ticket from attnames, without Model.__init__'s per-field work (a third of the
    time of a page of sales, see benchmarks/bench_integration.py). Every concrete field gets
    its default first; Ticket has no pre_init/post_init receivers to miss."""
    ticket = Ticket.__new__(Ticket)
    ticket.__dict__.update(_TICKET_DEFAULTS)
    ticket.__dict__.update(values)
    ticket._state = ModelState()
    return ticket


_TICKET_ATTNAMES = [f.attname for f in Ticket._meta.concrete_fields]


def _tickets_from_rows(rows, *, db: str):
    """Saved Tickets from rows of every concrete field (`values_list(*_TICKET_ATTNAMES)`),
    without Model.from_db's per-field __init__: the page's originals, read in bulk."""
    names = _TICKET_ATTNAMES
    for row in rows:
        ticket = Ticket.__new__(Ticket)
        ticket.__dict__.update(zip(names, row, strict=True))
        state = ticket._state = ModelState()
        state.adding = False
        state.db = db
        yield ticket


def tickets_sell(*, interface: ExternalSalesInterface, sales: Sequence[ResolvedOperation],
                 now=None) -> ApplyResult:
    """Apply SALE operations (see `operations_apply`)."""
    _check_types(sales, OperationType.SALE)
    return operations_apply(interface=interface, operations=sales, now=now)


def tickets_duplicate(*, interface: ExternalSalesInterface,
                      duplicates: Sequence[ResolvedOperation], now=None) -> ApplyResult:
    """Apply DUPLICATE operations: each invalidates its original and issues a new ticket."""
    _check_types(duplicates, OperationType.DUPLICATE)
    return operations_apply(interface=interface, operations=duplicates, now=now)


def tickets_refund(*, interface: ExternalSalesInterface, refunds: Sequence[ResolvedOperation],
                   now=None) -> ApplyResult:
    """Apply REFUND operations: each cancels its ticket; the place goes back to the quota."""
    _check_types(refunds, OperationType.REFUND)
    return operations_apply(interface=interface, operations=refunds, now=now)


def _check_types(operations, expected: OperationType) -> None:
    wrong = [op.line.operation_id for op in operations if op.line.type != expected]
    if wrong:
        raise ValueError(f"Expected only {expected} operations; got others: {wrong[:5]}")


def operations_apply(
    *,
    interface: ExternalSalesInterface,
    operations: Sequence[ResolvedOperation],
    now=None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    optimistic: bool | None = None,
) -> ApplyResult:
    """Apply a page of mixed operations in order, in one transaction.

    An operation already integrated is skipped and counted; one that cannot be applied
    (problem from resolution, closed performance, place not in the interface's quota or
    already sold, price refused by the interface's policy, original ticket unknown or no
    longer valid) is parked with its reason. A parked line that now applies is marked
    resolved. The queries do not grow with the page: a handful of reads, then bulk writes.

    On PostgreSQL the page is first applied optimistically (`optimistic=None` or True): the
    places and ticket numbers it sells and the ids it applies are not read beforehand, the
    unique indexes (one valid ticket per place, one number per interface, one record per
    operation id) refuse a clash when the page is written. A clash rolls the attempt back to
    its savepoint and the page is applied again after reading everything, so the outcome is
    the same either way; only the usual page, where nothing clashes, is cheaper (see
    benchmarks/bench_integration.py). `optimistic=False` forces the reading path.
    """
    now = now or timezone.now()
    if not operations:
        return ApplyResult()
    interface = (
        ExternalSalesInterface.objects.select_related("institution").get(pk=interface.pk)
    )
    if optimistic is None:
        optimistic = connection.vendor == "postgresql"
    elif optimistic and connection.vendor != "postgresql":
        raise ValueError("The optimistic path needs PostgreSQL (ON CONFLICT … RETURNING).")
    with transaction.atomic():
        if optimistic:
            try:
                with transaction.atomic():  # a savepoint: a clash undoes only the attempt
                    return _apply_page(interface, operations, now=now, batch_size=batch_size,
                                       optimistic=True)
            except (_Clash, IntegrityError) as exc:
                logger.info("Page of %d operations for interface %s: %s; applied again "
                            "after reading the places and numbers.", len(operations),
                            interface.pk, exc)
        return _apply_page(interface, operations, now=now, batch_size=batch_size,
                           optimistic=False)


class _Clash(Exception):
    """The optimistic attempt met a place or a number held outside the page."""


def _apply_page(interface, operations, *, now, batch_size: int, optimistic: bool) -> ApplyResult:
    result = ApplyResult()
    state = _PageState.load(interface, operations, optimistic=optimistic)
    for op in operations:
        state.apply(op, result)
    if optimistic:
        state.check_unread()
    state.write(now=now, result=result, batch_size=batch_size)
    return result


def _seat_holders(seat_keys: set[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """(number, performance id, seat id) of the valid tickets on exactly these (performance,
    seat) pairs."""
    if connection.vendor == "postgresql":
        return rows_matching(
            table=Ticket._meta.db_table, columns=["number", "performance_id", "seat_id"],
            match=["performance_id", "seat_id"], keys=list(seat_keys),
            where="t.state = %s", params=[Ticket.State.VALID])
    rows = Ticket.objects.filter(
        state=Ticket.State.VALID, performance_id__in={p for p, _s in seat_keys},
        seat_id__in={s for _p, s in seat_keys},
    ).values_list("number", "performance_id", "seat_id")
    return [row for row in rows if row[1:] in seat_keys]


def _place_holders(place_keys: set[tuple[int, int, int, int]]) -> list[tuple]:
    """(number, performance id, zone id, series row, series number) of the valid tickets on
    exactly these places of non-numbered zones."""
    columns = ["number", "performance_id", "zone_id", "series_row", "series_number"]
    if connection.vendor == "postgresql":
        return rows_matching(
            table=Ticket._meta.db_table, columns=columns, match=columns[1:],
            keys=list(place_keys), where="t.state = %s", params=[Ticket.State.VALID])
    rows = Ticket.objects.filter(
        state=Ticket.State.VALID,
        performance_id__in={k[0] for k in place_keys},
        zone_id__in={k[1] for k in place_keys},
        series_row__in={k[2] for k in place_keys},
    ).values_list(*columns)
    return [row for row in rows if row[1:] in place_keys]


# Reasons found before a new ticket's number is looked at (see _PageState._sell/_duplicate).
_BEFORE_NUMBER_CHECK = frozenset({ParkReason.INVALID_LINE, ParkReason.TICKET_NUMBER_TAKEN})
# Reasons found after a sale's place is looked at (see _PageState._sell).
_AFTER_PLACE_CHECK = frozenset({ParkReason.PRICE_UNKNOWN, ParkReason.PRICE_DIFFERENCE})


class _PageState:
    """Everything the page touches, read once; the page is applied in memory, then written."""

    def __init__(self, interface, *, optimistic: bool = False):
        self.interface = interface
        self.optimistic = optimistic
        self.integrated: set[str] = set()
        # Optimistic path: what was not read and is checked after applying (check_unread).
        self.unread_numbers: list[str] = []
        self.unread_places: list[tuple] = []
        self.tickets: dict[str, Ticket] = {}
        self.occupied: dict[tuple, str] = {}
        self.quota_seats: set[tuple[int, int]] = set()
        self.quota_places: dict[tuple[int, int], int] = {}
        self.prices: dict[tuple, int] = {}
        self.parked_existing: dict[str, ParkedOperation] = {}
        self.changed: dict[int, Ticket] = {}
        self.new_tickets: list[Ticket] = []
        self.new_sales: list[Ticket] = []
        # New duplicate → its original when that one is new too (its id is known once written).
        self.pending_originals: dict[int, Ticket] = {}
        self.applied: list[ResolvedOperation] = []
        self.parks: list[_Park] = []

    @classmethod
    def load(cls, interface, operations: Sequence[ResolvedOperation], *,
             optimistic: bool = False) -> _PageState:
        """Read what the page needs. Optimistic: neither the operation ids already integrated
        nor the places sold nor the new ticket numbers are read (the unique indexes answer for
        them when the page is written, `check_unread` for what they cannot see)."""
        self = cls(interface, optimistic=optimistic)
        op_ids = list({op.line.operation_id for op in operations})
        if not optimistic:
            self.integrated = set(
                IntegratedOperation.objects.filter(
                    interface=interface, operation_id__any=op_ids
                ).values_list("operation_id", flat=True)
            )
        self.parked_existing = {
            p.operation_id: p
            for p in ParkedOperation.objects.filter(interface=interface, operation_id__any=op_ids)
        }
        numbers = set()
        for op in operations:
            if op.line.ticket_number and not optimistic:
                numbers.add(op.line.ticket_number)
            if op.line.target_ticket_number:
                numbers.add(op.line.target_ticket_number)
        if numbers:
            found = Ticket.objects.filter(interface=interface, number__any=list(numbers))
            self.tickets = {
                t.number: t
                for t in _tickets_from_rows(found.order_by().values_list(*_TICKET_ATTNAMES),
                                           db=found.db)
            }

        sales = [op for op in operations if op.line.type == OperationType.SALE
                 and op.problem is None and op.performance is not None]
        perf_ids = {op.performance.id for op in sales}
        seat_keys = {(op.performance.id, op.seat.id) for op in sales if op.seat is not None}
        place_keys = {(op.performance.id, op.zone.id, op.series_row, op.series_number)
                      for op in sales if op.zone is not None and op.seat is None}
        quota_id = interface.external_quota_id
        if seat_keys:
            self._load_quota_seats(quota_id, seat_keys)
            if not optimistic:
                for number, perf_id, seat_id in _seat_holders(seat_keys):
                    self.occupied[_seat_key(perf_id, seat_id)] = number
        if place_keys:
            zone_ids = {z for _p, z, _r, _n in place_keys}
            self.quota_places = {
                (p, z): places
                for p, z, places in ZoneAllocation.objects.filter(
                    quota_id=quota_id, performance_id__in=perf_ids, zone_id__in=zone_ids
                ).values_list("performance_id", "zone_id", "places")
            }
            if not optimistic:
                for number, perf_id, zone_id, row, n in _place_holders(place_keys):
                    self.occupied[_place_key(perf_id, zone_id, row, n)] = number
        # Tickets the page duplicates or refunds hold their places too.
        for t in self.tickets.values():
            if t.state == Ticket.State.VALID:
                self.occupied.setdefault(_ticket_key(t), t.number)

        passes = [op for op in operations if op.line.type == OperationType.SALE
                  and op.problem is None and op.product is not None]
        if passes:
            # A pass is priced on its product, for the whole product (no performance).
            for event_id, cat_id, tariff_id, amount in Price.objects.filter(
                event_id__in={op.product.pk for op in passes}, performance__isnull=True,
                tariff_id__in={op.tariff.pk for op in passes if op.tariff is not None},
            ).values_list("event_id", "category_id", "tariff_id", "amount_cents"):
                self.prices[(event_id, None, cat_id, tariff_id)] = amount
        if sales:
            event_ids = {op.performance.event_id for op in sales}
            category_ids = {op.category.id for op in sales if op.category is not None}
            tariff_ids = {op.tariff.id for op in sales if op.tariff is not None}
            for event_id, perf_id, cat_id, tariff_id, amount in Price.objects.filter(
                event_id__in=event_ids, category_id__in=category_ids, tariff_id__in=tariff_ids
            ).filter(Q(performance__isnull=True) | Q(performance_id__in=perf_ids)).values_list(
                "event_id", "performance_id", "category_id", "tariff_id", "amount_cents"
            ):
                self.prices[(event_id, perf_id, cat_id, tariff_id)] = amount
        return self

    def _load_quota_seats(self, quota_id, seat_keys: set[tuple[int, int]]) -> None:
        """The page's seats in the quota: exactly those (performance, seat) pairs, not the
        cross product of their performances and seats."""
        if connection.vendor == "postgresql":
            # By probes: the planner merged the whole quota otherwise (45 ms a page).
            self.quota_seats = set(rows_matching(
                table=SeatAllocation._meta.db_table, columns=["performance_id", "seat_id"],
                match=["performance_id", "seat_id"], keys=list(seat_keys),
                where="t.quota_id = %s", params=[quota_id], probe=True))
            return
        self.quota_seats = set(
            SeatAllocation.objects.filter(
                quota_id=quota_id, performance_id__in={p for p, _s in seat_keys},
                seat_id__in={s for _p, s in seat_keys},
            ).values_list("performance_id", "seat_id")
        ) & seat_keys

    def check_unread(self) -> None:
        """Optimistic path: what the unique indexes will not check when the page is written.
        A line parked may have been integrated already (it would only be counted then); a
        ticket sold and ended within the page is written ended, so its place is checked
        here; a line parked for a reason found after the number check (or the place check)
        would have been parked for its number (or its place) had it been read, so those are
        checked too. All are few (most pages have none); a clash sends the page down the
        reading path."""
        parked_ids = [park.op.line.operation_id for park in self.parks]
        if parked_ids and IntegratedOperation.objects.filter(
            interface_id=self.interface.pk, operation_id__any=parked_ids
        ).exists():
            raise _Clash("a line parked in the page was integrated already")
        if self.unread_numbers and Ticket.objects.filter(
            interface_id=self.interface.pk, number__any=self.unread_numbers
        ).exists():
            raise _Clash("a line parked in the page has a ticket number already used")
        keys = [_ticket_key(t) for t in self.new_tickets
                if t.state != Ticket.State.VALID and t.product_id is None]
        keys += self.unread_places
        if not keys:
            return
        seats = {(k[1], k[2]) for k in keys if k[0] == "s"}
        places = {k[1:] for k in keys if k[0] == "p"}
        held = [row[0] for row in _seat_holders(seats)] if seats else []
        held += [row[0] for row in _place_holders(places)] if places else []
        # A holder the page read (an original it duplicates or refunds) was accounted for.
        outside = [number for number in held if number not in self.tickets]
        if outside:
            raise _Clash(f"a place the page sold and ended, or parked, is held by ticket "
                         f"{outside[0]}")

    # Applying, in memory --------------------------------------------------------------------

    def park(self, op, reason: ParkReason, **params):
        self.parks.append(_Park(op, reason, params))
        if not self.optimistic:
            return
        if (reason not in _BEFORE_NUMBER_CHECK and op.line.type != OperationType.REFUND
                and op.line.ticket_number):
            self.unread_numbers.append(op.line.ticket_number)
        if reason in _AFTER_PLACE_CHECK and op.product is None:
            if op.seat is not None:
                self.unread_places.append(_seat_key(op.performance.id, op.seat.id))
            else:
                self.unread_places.append(_place_key(op.performance.id, op.zone.id,
                                                     op.series_row, op.series_number))

    def apply(self, op: ResolvedOperation, result: ApplyResult) -> None:
        line = op.line
        if line.operation_id in self.integrated:
            result.already_integrated += 1
            return
        # A line seen twice in a page is applied (or parked) once.
        self.integrated.add(line.operation_id)
        if op.problem is not None:
            # Found by the resolution, before anything else is looked at.
            self.parks.append(_Park(op, op.problem.reason, dict(op.problem.params)))
            return
        if line.type == OperationType.SALE:
            ok = self._sell(op)
        elif line.type == OperationType.DUPLICATE:
            ok = self._duplicate(op)
        else:
            ok = self._refund(op)
        if ok:
            self.applied.append(op)
            if line.type == OperationType.SALE:
                result.sold += 1
            elif line.type == OperationType.DUPLICATE:
                result.duplicated += 1
            else:
                result.refunded += 1

    def _price(self, op: ResolvedOperation, *, event_id: int, performance_id: int | None):
        """The price the ticket is booked at under the interface's policy, or None (parked)."""
        line = op.line
        ours = None
        category_id, tariff_id = op.category.id, op.tariff.id
        if performance_id is not None:
            ours = self.prices.get((event_id, performance_id, category_id, tariff_id))
        if ours is None:
            ours = self.prices.get((event_id, None, category_id, tariff_id))
        theirs = line.price_cents
        Policy = ExternalSalesInterface.PricePolicy
        policy = self.interface.price_policy
        if policy == Policy.USE:
            return theirs
        if ours is None:
            self.park(op, ParkReason.PRICE_UNKNOWN)
            return None
        if policy == Policy.ERROR and ours != theirs:
            self.park(op, ParkReason.PRICE_DIFFERENCE, ours=_money(ours, line.currency))
            return None
        return ours

    def _sell_pass(self, op: ResolvedOperation) -> bool:
        line = op.line
        if op.category is None or op.tariff is None or not line.ticket_number:
            self.park(op, ParkReason.INVALID_LINE,
                      detail="product, category, tariff or ticket number missing")
            return False
        if line.ticket_number in self.tickets:
            self.park(op, ParkReason.TICKET_NUMBER_TAKEN)
            return False
        price = self._price(op, event_id=op.product.pk, performance_id=None)
        if price is None:
            return False
        ticket = self._sold_ticket(
            op, price, product_id=op.product.pk, valid_from=line.valid_from,
            valid_until=line.valid_until,
        )
        self.tickets[ticket.number] = ticket
        self.new_tickets.append(ticket)
        self.new_sales.append(ticket)
        return True

    def _sold_ticket(self, op: ResolvedOperation, price: int, **place) -> Ticket:
        """A new valid ticket for a SALE, at `price` under the policy, held by the buyer;
        `place`: a performance and its seat or series place, or a pass product."""
        line = op.line
        return _new_ticket(
            interface_id=self.interface.id,
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

    def _sell(self, op: ResolvedOperation) -> bool:
        if op.product is not None:
            return self._sell_pass(op)
        line = op.line
        numbered = op.seat is not None
        if op.performance is None or op.category is None or op.tariff is None or not (
            numbered or (op.zone is not None and op.series_row and op.series_number)
        ) or not line.ticket_number:
            self.park(op, ParkReason.INVALID_LINE,
                      detail="performance, place, category, tariff or ticket number missing")
            return False
        perf = op.performance
        if line.ticket_number in self.tickets:
            self.park(op, ParkReason.TICKET_NUMBER_TAKEN)
            return False
        if perf.closed:
            self.park(op, ParkReason.PERFORMANCE_CLOSED)
            return False
        perf_id = perf.id
        if numbered:
            seat_id = op.seat.id
            key = _seat_key(perf_id, seat_id)
            in_quota = (perf_id, seat_id) in self.quota_seats
        else:
            zone_id = op.zone.id
            key = _place_key(perf_id, zone_id, op.series_row, op.series_number)
            places = self.quota_places.get((perf_id, zone_id), 0)
            position = (op.series_row - 1) * SERIES_ROW_LENGTH + op.series_number
            in_quota = op.series_number <= SERIES_ROW_LENGTH and position <= places
        if not in_quota:
            self.park(op, ParkReason.NOT_IN_QUOTA)
            return False
        holder = self.occupied.get(key)
        if holder is not None:
            self.park(op, ParkReason.SEAT_ALREADY_SOLD, holder=holder)
            return False
        price = self._price(op, event_id=perf.event_id, performance_id=perf_id)
        if price is None:
            return False
        ticket = self._sold_ticket(
            op, price,
            performance_id=perf_id,
            seat_id=seat_id if numbered else None,
            zone_id=None if numbered else zone_id,
            series_row=None if numbered else op.series_row,
            series_number=None if numbered else op.series_number,
        )
        self.tickets[ticket.number] = ticket
        self.occupied[key] = ticket.number
        self.new_tickets.append(ticket)
        self.new_sales.append(ticket)
        return True

    def _target(self, op: ResolvedOperation) -> Ticket | None:
        target_number = op.line.target_ticket_number
        target = self.tickets.get(target_number) if target_number else None
        if target is None:
            self.park(op, ParkReason.ORIGINAL_UNKNOWN)
            return None
        if target.state != Ticket.State.VALID:
            self.park(op, ParkReason.ORIGINAL_NOT_VALID, state=target.get_state_display())
            return None
        return target

    def _end(self, ticket: Ticket, state: str, operation_id: str) -> None:
        ticket.state = state
        ticket.ended_by_operation_id = operation_id
        if ticket.pk is not None:
            self.changed[ticket.pk] = ticket
        key = _ticket_key(ticket)
        if self.occupied.get(key) == ticket.number:
            del self.occupied[key]

    def _duplicate(self, op: ResolvedOperation) -> bool:
        line = op.line
        if not line.ticket_number or line.ticket_number in self.tickets:
            self.park(op, ParkReason.TICKET_NUMBER_TAKEN)
            return False
        original = self._target(op)
        if original is None:
            return False
        self._end(original, Ticket.State.INVALIDATED, line.operation_id)
        ticket = _new_ticket(
            interface_id=self.interface.pk,
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
            self.pending_originals[id(ticket)] = original
            self.new_sales.append(ticket)  # its original's order is created with the page
        self.tickets[ticket.number] = ticket
        self.occupied[_ticket_key(ticket)] = ticket.number
        self.new_tickets.append(ticket)
        return True

    def _refund(self, op: ResolvedOperation) -> bool:
        ticket = self._target(op)
        if ticket is None:
            return False
        self._end(ticket, Ticket.State.CANCELLED, op.line.operation_id)
        return True

    # Writing ----------------------------------------------------------------------------

    def write(self, *, now, result: ApplyResult, batch_size: int) -> None:
        if self.changed:
            # First: ending tickets frees their places for the new ones (partial unique indexes).
            bulk_update_fields(
                Ticket, list(self.changed.values()), ["state", "ended_by_operation_id"],
                batch_size=batch_size,
            )
        if self.new_sales:
            order = Order.objects.create(
                interface=self.interface,
                contact_id=self.interface.contact_id,
                point_of_sale_id=self.interface.point_of_sale_id,
                payment_mode=Order.PaymentMode.PENDING_ACCOUNT,
            )
            order_id = order.pk
            for ticket in self.new_sales:
                ticket.order_id = order_id
        pending = self.new_tickets
        originals = self.pending_originals
        while pending:
            # A duplicate of a ticket sold in the same page waits for its original's id.
            ready, waiting = [], []
            for t in pending:
                original = originals.get(id(t))
                if original is None:
                    ready.append(t)
                elif original.pk is not None:
                    t.original_id = original.pk
                    ready.append(t)
                else:
                    waiting.append(t)
            pending = waiting
            # Every foreign key id is set above: no need for Django's per-object check.
            bulk_insert(Ticket, ready, batch_size=batch_size, check_related=False)
        interface_id = self.interface.pk
        bulk_insert_rows(
            IntegratedOperation,
            ["interface", "operation_id", "type", "integrated_at"],
            ((interface_id, op.line.operation_id, str(op.line.type), now) for op in self.applied),
            batch_size=batch_size,
        )
        resolved = []
        for op in self.applied:
            parked = self.parked_existing.get(op.line.operation_id)
            if parked is not None and parked.resolved_at is None:
                parked.resolved_at = now
                parked.last_attempt_at = now
                parked.attempts += 1
                resolved.append(parked)
        result.resolved_parked += len(resolved)
        self._write_parks(now=now, result=result, resolved=resolved, batch_size=batch_size)

    def _write_parks(self, *, now, result: ApplyResult, resolved: list, batch_size: int):
        to_update = list(resolved)
        to_create = []
        if self.parks:
            with translation.override(self.interface.institution.language):
                templates = _reason_templates()
                for park in self.parks:
                    line = park.op.line
                    params = _Params(
                        operation=line.operation_id,
                        number=line.ticket_number,
                        target=line.target_ticket_number,
                        performance=f"{line.manifestation_code}/{line.performance_code}",
                        place=f"{line.zone_code} {line.row}-{line.seat}",
                        category=line.category_code,
                        tariff=line.tariff_code,
                        theirs=_money(line.price_cents, line.currency),
                    )
                    params.update(park.params)
                    message = templates[park.reason] % params
                    result.parked += 1
                    result.parked_by_reason[str(park.reason)] = (
                        result.parked_by_reason.get(str(park.reason), 0) + 1
                    )
                    existing = self.parked_existing.get(line.operation_id)
                    if existing is not None:
                        existing.reason = str(park.reason)
                        existing.message = message
                        existing.line = line.to_json()
                        existing.last_attempt_at = now
                        existing.attempts += 1
                        existing.resolved_at = None
                        to_update.append(existing)
                    else:
                        to_create.append(ParkedOperation(
                            interface=self.interface,
                            operation_id=line.operation_id,
                            type=str(line.type),
                            ticket_number=line.ticket_number,
                            line=line.to_json(),
                            reason=str(park.reason),
                            message=message,
                            first_attempt_at=now,
                            last_attempt_at=now,
                            attempts=1,
                        ))
        if to_update:
            ParkedOperation.objects.bulk_update(
                to_update,
                ["reason", "message", "line", "last_attempt_at", "attempts", "resolved_at"],
                batch_size=batch_size,
            )
        if to_create:
            ParkedOperation.objects.bulk_create(to_create, batch_size=batch_size)


def statistics_refresh() -> None:
    """Refresh PostgreSQL's statistics of the tables a long integration grows (tickets,
    integrated operations), outside any page's transaction. The planner otherwise keeps
    the counts of the run's start (autovacuum analyzes a table only after 10 % of it has
    changed, and not within a minute) and picks plans for a small table; see
    benchmarks/bench_integration.py. Nothing to do on other databases."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    tables = ", ".join(quote(m._meta.db_table) for m in (Ticket, IntegratedOperation))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


# Helpers for the jobs ------------------------------------------------------------------------


def problem(reason: ParkReason, **params) -> Problem:
    """Shorthand for the resolver: `problem(ParkReason.UNKNOWN_CODE, kind="tariff", code="15")`."""
    return Problem(reason=reason, params=params)
