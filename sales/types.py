"""The input of the sales services: Ticketnet operations as plain data, before and after their
codes are resolved to catalogue objects (resolution lives elsewhere in `sales`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from catalog.models import Event, Performance, Seat, SeatCategory, Tariff, Zone


class OperationType(StrEnum):
    SALE = "SALE"
    DUPLICATE = "DUPLICATE"
    REFUND = "REFUND"


def _int_or_none(value) -> int | None:
    # Ticketnet's files pad rows and seats with zeros (`0012`): match them as numbers.
    if value is None or value == "":
        return None
    return int(value)


@dataclass(frozen=True, slots=True)
class OperationLine:
    """One Ticketnet operation, as the gateway and the flat-file importer produce it.

    Field names are those of the gateway's `Operation`, so `OperationLine.from_mapping(
    dataclasses.asdict(op))` converts one. SALE: `ticket_number` is the new ticket.
    DUPLICATE: `ticket_number` is the new ticket, `original_ticket_number` the one it
    invalidates. REFUND: the cancelled ticket is `original_ticket_number or ticket_number`.
    """

    operation_id: str
    type: OperationType
    ticket_number: str
    original_ticket_number: str | None = None
    manifestation_code: str = ""
    performance_code: str = ""
    zone_code: str = ""
    row: int | None = None
    seat: int | None = None
    category_code: str = ""
    tariff_code: str = ""
    price_cents: int = 0
    currency: str = "EUR"
    time: dt.datetime | None = None
    point_of_sale_code: str = ""
    buyer_last_name: str = ""
    buyer_first_name: str = ""
    buyer_city: str = ""
    buyer_postal_code: str = ""
    buyer_country: str = ""
    # Passes (flat files): the product sold and the pass's validity; no performance, no place.
    product_code: str = ""
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None

    @property
    def target_ticket_number(self) -> str:
        """The existing ticket a DUPLICATE or REFUND acts on."""
        if self.type == OperationType.REFUND:
            return self.original_ticket_number or self.ticket_number
        return self.original_ticket_number or ""

    def to_json(self) -> dict[str, Any]:
        """The whole line as JSON-ready data (kept on a parked line, never lost)."""
        data = asdict(self)
        data["type"] = str(self.type)
        for name in _DATETIME_FIELDS:
            value = getattr(self, name)
            data[name] = value.isoformat() if value else None
        return data

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> OperationLine:
        """Build from `to_json()` output, a gateway `Operation` as a dict, or a CSV row."""
        names = _FIELD_NAMES
        values = (dict(data) if names.issuperset(data)
                  else {k: v for k, v in data.items() if k in names})
        kind = str(values["type"]).upper()
        values["type"] = _OPERATION_TYPES.get(kind) or OperationType(kind)  # ValueError if bad
        values["operation_id"] = str(values["operation_id"])
        values["ticket_number"] = str(values.get("ticket_number") or "")
        values["row"] = _int_or_none(values.get("row"))
        values["seat"] = _int_or_none(values.get("seat"))
        values["price_cents"] = int(values.get("price_cents") or 0)
        for name in _DATETIME_FIELDS:
            value = values.get(name)
            if isinstance(value, str):
                values[name] = dt.datetime.fromisoformat(value) if value else None
        return cls(**values)


_DATETIME_FIELDS = ("time", "valid_from", "valid_until")
# Read once: a retry rebuilds every parked line from its JSON.
_FIELD_NAMES = frozenset(f.name for f in fields(OperationLine))
_OPERATION_TYPES = {t.value: t for t in OperationType}


class ParkReason(models.TextChoices):
    """Why a line was parked: the value is stored on the parked line, the label names it in
    lists; the message saying what to do is in `sales.engine.messages`."""

    UNKNOWN_CODE = "unknown_code", _("Unknown Ticketnet code")
    INVALID_LINE = "invalid_line", _("Incomplete or invalid line")
    PERFORMANCE_CLOSED = "performance_closed", _("Performance closed")
    PERFORMANCE_CANCELLED = "performance_cancelled", _("Performance cancelled")
    NOT_IN_QUOTA = "not_in_quota", _("Seat not in the Ticketnet quota")
    SEAT_ALREADY_SOLD = "seat_already_sold", _("Seat already sold")
    PRICE_DIFFERENCE = "price_difference", _("Price difference")
    PRICE_UNKNOWN = "price_unknown", _("No price for this category and tariff")
    TICKET_NUMBER_TAKEN = "ticket_number_taken", _("Ticket number already used")
    ORIGINAL_UNKNOWN = "original_unknown", _("Original ticket unknown")
    ORIGINAL_NOT_VALID = "original_not_valid", _("Original ticket no longer valid")
    UNKNOWN_PRODUCT = "unknown_product", _("Unknown pass product")
    UNKNOWN_TARIFF = "unknown_tariff", _("Unknown tariff")
    TARIFF_NOT_FOR_RESELLERS = "tariff_not_for_resellers", _("Tariff not for resellers")
    # Not a problem of its own: the line depends on a parked line earlier in Ticketnet's journal
    # (its original's sale, or a sale of the place that line holds) and goes through with it.
    WAITING_FOR_ORIGINAL = "waiting_for_original", _("Waiting for the original")


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a line cannot be resolved (e.g. an unknown code): the line is parked with it.
    (Not `mappings.selectors.Problem`, which is something to fix before a catalogue export.)

    `params` fill the reason's message, e.g. `{"kind": "tariff", "code": "15"}` for
    UNKNOWN_CODE, `{"detail": "row missing"}` for INVALID_LINE.
    """

    reason: ParkReason
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ResolvedOperation:
    """An operation whose Ticketnet codes were resolved to catalogue objects.

    SALE needs `performance`, `category`, `tariff`, and either `seat` (numbered) or
    `zone` + `series_row` + `series_number` (a non-numbered zone sold as a seat series).
    A pass SALE (flat files) needs `product`, `category` and `tariff`, and no place.
    DUPLICATE and REFUND need only the line: they act on the ticket it names.
    A `problem` parks the line as it is.
    """

    line: OperationLine
    performance: Performance | None = None
    seat: Seat | None = None
    zone: Zone | None = None
    series_row: int | None = None
    series_number: int | None = None
    category: SeatCategory | None = None
    tariff: Tariff | None = None
    product: Event | None = None
    problem: Problem | None = None


@dataclass
class ApplyResult:
    """What `operations_apply` did with a page, per outcome."""

    sold: int = 0
    duplicated: int = 0
    refunded: int = 0
    already_integrated: int = 0
    parked: int = 0  # lines with a problem of their own (not those waiting for one)
    waiting: int = 0  # lines waiting for a parked line (ParkReason.WAITING_FOR_ORIGINAL)
    parked_by_reason: dict[str, int] = field(default_factory=dict)
    resolved_parked: int = 0

    @property
    def applied(self) -> int:
        return self.sold + self.duplicated + self.refunded

    def as_counts(self) -> dict[str, int]:
        counts = {
            "sold": self.sold,
            "duplicated": self.duplicated,
            "refunded": self.refunded,
            "already_integrated": self.already_integrated,
            "parked": self.parked,
            "waiting": self.waiting,
            "resolved_parked": self.resolved_parked,
        }
        counts.update({f"parked_{k}": v for k, v in sorted(self.parked_by_reason.items())})
        return counts

    def merge(self, other: ApplyResult) -> None:
        self.sold += other.sold
        self.duplicated += other.duplicated
        self.refunded += other.refunded
        self.already_integrated += other.already_integrated
        self.parked += other.parked
        self.waiting += other.waiting
        self.resolved_parked += other.resolved_parked
        for k, v in other.parked_by_reason.items():
            self.parked_by_reason[k] = self.parked_by_reason.get(k, 0) + v
