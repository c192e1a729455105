"""Plain values exchanged with the gateway: no SOAP, no Django, safe to pass to any layer.

Codes are text as Ticketnet receives them (it refuses leading zeros and ten-digit codes).
Rows and seat numbers read from Ticketnet are integers: its lines may pad them (`0012`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Credentials:
    """What the interface holds to call Ticketnet; url is `<IP>:<Port>`."""

    url: str
    login: str
    password: str = field(repr=False)
    institution_code: str
    server_name: str = ""
    client_name: str = ""


@dataclass(frozen=True, slots=True)
class PerformanceSpec:
    code: str
    start: datetime


@dataclass(frozen=True, slots=True)
class NamedCode:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class SeatSpec:
    """A numbered seat of a zone in the manifestation's plan."""

    row: int | str
    number: int | str
    category_code: str


@dataclass(frozen=True, slots=True)
class ZoneSpec:
    """A zone: numbered (`seats`) or non-numbered, sold as a seat series of `capacity` places
    in rows of 1000 (`capacity` and `category_code`)."""

    code: str
    name: str
    seats: tuple[SeatSpec, ...] = ()
    capacity: int | None = None
    category_code: str | None = None


@dataclass(frozen=True, slots=True)
class PriceSpec:
    category_code: str
    tariff_code: str
    cents: int


@dataclass(frozen=True, slots=True)
class Manifestation:
    """What createManifestation sends: once per manifestation, never again."""

    code: str
    name: str
    hall_code: str
    performances: tuple[PerformanceSpec, ...]
    seat_categories: tuple[NamedCode, ...]
    tariffs: tuple[NamedCode, ...]
    zones: tuple[ZoneSpec, ...]
    prices: tuple[PriceSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class ManifestationCreated:
    manifestation_code: str
    performance_count: int
    seat_count: int


@dataclass(frozen=True, slots=True)
class AllottedSeat:
    zone_code: str
    row: int | str
    number: int | str
    category_code: str


@dataclass(frozen=True, slots=True)
class AllotmentResult:
    manifestation_code: str
    performance_code: str
    export_id: str
    batch_seat_count: int
    allotted_seat_count: int


@dataclass(frozen=True, slots=True)
class ZoneQuotaResult:
    manifestation_code: str
    performance_code: str
    zone_code: str
    places_available: int


@dataclass(frozen=True, slots=True)
class PingResult:
    server_time: datetime
    version: str


@dataclass(frozen=True, slots=True)
class ConnectionChecked:
    """Ticketnet accepted the credentials: who answered (checkConnection)."""

    server_name: str
    version: str
    institution_code: str
    server_time: datetime


class OperationType(StrEnum):
    SALE = "SALE"
    DUPLICATE = "DUPLICATE"
    REFUND = "REFUND"


@dataclass(frozen=True, slots=True)
class Operation:
    """One line of Ticketnet's sales journal.

    SALE: `ticket_number` is the new ticket. DUPLICATE: `ticket_number` is the new ticket,
    `original_ticket_number` the one it invalidates. REFUND: both are the cancelled ticket.
    """

    operation_id: str
    type: OperationType
    ticket_number: str
    original_ticket_number: str | None
    manifestation_code: str
    performance_code: str
    zone_code: str
    row: int
    seat: int
    category_code: str
    tariff_code: str
    price_cents: int
    currency: str
    time: datetime
    point_of_sale_code: str
    buyer_last_name: str = ""
    buyer_first_name: str = ""
    buyer_city: str = ""
    buyer_postal_code: str = ""
    buyer_country: str = ""


@dataclass(frozen=True, slots=True)
class OperationsPage:
    """One page of listOperations: store `next_cursor` once the page is committed."""

    operations: list[Operation]
    next_cursor: str
    has_more: bool


class TicketState(StrEnum):
    ACTIVE = "ACTIVE"
    REPLACED = "REPLACED"  # duplicated: a new ticket replaces it
    REFUNDED = "REFUNDED"


@dataclass(frozen=True, slots=True)
class TicketnetTicket:
    """A ticket as Ticketnet holds it (listTickets), whatever became of it: the reconciliation's
    view of Ticketnet beside the journal's lines.

    `original_ticket_number`: the ticket a duplicate replaces. `issued_at`: the time of the
    SALE or DUPLICATE line that issued it; `ended_at`: of the DUPLICATE or REFUND line that
    ended it (None while it is ACTIVE)."""

    ticket_number: str
    state: TicketState
    original_ticket_number: str | None
    manifestation_code: str
    performance_code: str
    zone_code: str
    row: int
    seat: int
    category_code: str
    tariff_code: str
    price_cents: int
    currency: str
    issued_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class TicketsPage:
    """One page of listTickets, by ticket number; send `next_cursor` back for the next one."""

    tickets: tuple[TicketnetTicket, ...]
    next_cursor: str
    has_more: bool
