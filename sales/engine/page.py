"""What one page of operations touches, held in memory between its steps (load, rules, write):
the tickets and places it reads, the tickets it makes and ends, the lines it parks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import Model
from django.db.models.base import ModelState

from channels.models import ExternalSalesInterface

from ..models import ParkedOperation, Ticket
from ..types import ParkReason, ResolvedOperation


class Clash(Exception):
    """The optimistic attempt met a place or a number held outside the page."""


@dataclass(slots=True, eq=False)
class Park:
    """A line the page parks, with its reason and the parameters of the reason's message.

    A line waiting for a parked line has the head of that line's chain: a park of this page
    or the id of a parked line. `place`: what the line's chain sells or refunds there."""

    op: ResolvedOperation
    reason: ParkReason
    params: dict
    head: Park | int | None = None
    place: str = ""


# A place is a key: ("s", performance, seat), ("p", performance, zone, row, number), or a pass.
def seat_key(perf_id: int, seat_id: int) -> tuple:
    return ("s", perf_id, seat_id)


def place_key(perf_id: int, zone_id: int, row: int, number: int) -> tuple:
    return ("p", perf_id, zone_id, row, number)


def ticket_key(ticket: Ticket) -> tuple:
    if ticket.product_id is not None:
        return ("pass", ticket.number)  # a pass holds no place: nothing to occupy
    if ticket.seat_id is not None:
        return seat_key(ticket.performance_id, ticket.seat_id)
    return place_key(ticket.performance_id, ticket.zone_id, ticket.series_row,
                     ticket.series_number)


@dataclass(slots=True)
class Page:
    """Everything the page touches, read once (`load`), changed in memory (`rules`), then
    saved (`write`)."""

    interface: ExternalSalesInterface
    optimistic: bool = False
    # Operation ids already integrated (and those seen in the page: applied or parked once).
    integrated: set[str] = field(default_factory=set)
    # Optimistic path: what was not read and is checked after deciding (`load.unread_check`).
    unread_numbers: list[str] = field(default_factory=list)
    unread_places: list[tuple] = field(default_factory=list)
    tickets: dict[str, Ticket] = field(default_factory=dict)  # by number
    occupied: dict[tuple, str] = field(default_factory=dict)  # place key → ticket number
    quota_seats: set[tuple[int, int]] = field(default_factory=set)
    quota_places: dict[tuple[int, int], int] = field(default_factory=dict)
    # (event, performance or None, category, tariff) → cents
    prices: dict[tuple, int] = field(default_factory=dict)
    parked_existing: dict[str, ParkedOperation] = field(default_factory=dict)
    changed: dict[int, Ticket] = field(default_factory=dict)  # saved tickets ended, by pk
    new_tickets: list[Ticket] = field(default_factory=list)
    new_sales: list[Ticket] = field(default_factory=list)  # those booked in the page's order
    # New duplicate → its original when that one is new too (its id is known once written).
    pending_originals: dict[int, Ticket] = field(default_factory=dict)
    order_id: int | None = None  # reserved by write.page_prepare
    applied: list[ResolvedOperation] = field(default_factory=list)
    parks: list[Park] = field(default_factory=list)
    # The open parked chains (engine.chains): their lines outside the page (those up to
    # `chain_next` seen), the ticket numbers their lines issue, with the place each ticket is
    # on, the places they hold in Ticketnet's journal ([head, sales not refunded]), and the
    # operation id of each head that is a parked line.
    chain_rows: list[tuple] = field(default_factory=list)
    chain_next: int = 0
    chain_numbers: dict[str, Park | int] = field(default_factory=dict)
    number_places: dict[str, str] = field(default_factory=dict)
    held: dict[str, list] = field(default_factory=dict)
    head_operations: dict[int, str] = field(default_factory=dict)
    # Replay of parked lines (a retry): a sale whose chain ends refunded in the batch passes
    # over the place's later holder (`shadowed`: place key → (that holder, the sale's
    # operation id)); those in `conflicting` were found not to, and check it as usual.
    replay: bool = False
    shadowed: dict[tuple, tuple[str, str]] = field(default_factory=dict)
    conflicting: frozenset[str] = frozenset()


_TICKET_DEFAULTS = {
    f.attname: (None if f.null or f.primary_key else f.get_default())
    for f in Ticket._meta.concrete_fields
}
_TICKET_DEFAULTS["state"] = Ticket.State.VALID

TICKET_ATTNAMES = [f.attname for f in Ticket._meta.concrete_fields]


def new_ticket(**values) -> Ticket:
    """A new Ticket from attnames, without Model.__init__'s per-field work (a third of the
    time of a page of sales, see benchmarks/bench_integration.py). Every concrete field gets
    its default first; Ticket has no pre_init/post_init receivers to miss."""
    ticket = Ticket.__new__(Ticket)
    ticket.__dict__.update(_TICKET_DEFAULTS)
    ticket.__dict__.update(values)
    ticket._state = ModelState()
    return ticket


def tickets_from_rows(rows: Iterable[tuple], *, db: str) -> Iterator[Ticket]:
    """Saved Tickets from rows of every concrete field (`values_list(*TICKET_ATTNAMES)`),
    without Model.from_db's per-field __init__: the page's originals, read in bulk."""
    return saved_from_rows(Ticket, TICKET_ATTNAMES, rows, db=db)


def saved_from_rows(model: type[Model], names: Sequence[str], rows: Iterable[tuple], *,
                    db: str) -> Iterator[Model]:
    """Saved instances of `model` from rows of the attnames `names`, without Model.from_db's
    per-field __init__ (the fields not named are deferred)."""
    for row in rows:
        obj = model.__new__(model)
        obj.__dict__.update(zip(names, row, strict=True))
        state = obj._state = ModelState()
        state.adding = False
        state.db = db
        yield obj
