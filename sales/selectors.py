"""Read-only queries on Ticketnet sales: what is left in an interface's quota, parked lines and
their chains."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from catalog.models import SeatAllocation, ZoneAllocation
from channels.models import ExternalSalesInterface

from .models import ParkedOperation, Ticket
from .types import OperationLine


@dataclass
class QuotaLeft:
    """What is left in the Ticketnet quota of one performance."""

    seats: int = 0
    places: dict[int, int] = field(default_factory=dict)  # non-numbered zone id → places

    @property
    def total(self) -> int:
        return self.seats + sum(self.places.values())


def quota_seats_left(*, interface: ExternalSalesInterface,
                     performance_ids: Iterable[int]) -> QuerySet[SeatAllocation]:
    """The seat allocations of the interface's quota that no valid ticket holds (one query;
    iterate with `.iterator()` for a stadium)."""
    held = Ticket.objects.filter(
        state=Ticket.State.VALID,
        performance_id=OuterRef("performance_id"),
        seat_id=OuterRef("seat_id"),
    )
    return (
        SeatAllocation.objects.filter(
            quota_id=interface.external_quota_id, performance_id__in=list(performance_ids)
        )
        .filter(~Exists(held))
        .order_by("performance_id", "seat_id")
    )


def quota_places_left(*, interface: ExternalSalesInterface,
                      performance_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """Places left per (performance id, non-numbered zone id): allocated minus valid tickets
    sold through interfaces on the same quota (one query)."""
    sold = (
        Ticket.objects.filter(
            state=Ticket.State.VALID,
            performance_id=OuterRef("performance_id"),
            zone_id=OuterRef("zone_id"),
            interface__external_quota_id=OuterRef("quota_id"),
        )
        .order_by()
        .values("performance_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        ZoneAllocation.objects.filter(
            quota_id=interface.external_quota_id, performance_id__in=list(performance_ids)
        )
        .annotate(sold=Coalesce(Subquery(sold, output_field=IntegerField()), Value(0)))
        .values_list("performance_id", "zone_id", "places", "sold")
    )
    return {(perf, zone): max(places - n, 0) for perf, zone, places, n in rows}


def quota_left(*, interface: ExternalSalesInterface,
               performance_ids: Iterable[int]) -> dict[int, QuotaLeft]:
    """Seats and places left per performance, in two queries whatever the number of seats."""
    performance_ids = list(performance_ids)
    left = {pk: QuotaLeft() for pk in performance_ids}
    seat_counts = (
        quota_seats_left(interface=interface, performance_ids=performance_ids)
        .order_by()
        .values("performance_id")
        .annotate(n=Count("pk"))
        .values_list("performance_id", "n")
    )
    for perf_id, n in seat_counts:
        left[perf_id].seats = n
    for (perf_id, zone_id), n in quota_places_left(
        interface=interface, performance_ids=performance_ids
    ).items():
        left[perf_id].places[zone_id] = n
    return left


# A pass line (from a flat file) names its product; a web-service line leaves it empty.
_WEB_SERVICE_LINE = Q(line__product_code="")


def parked_operations(*, interface: ExternalSalesInterface, include_resolved: bool = False,
                      passes: bool | None = None) -> QuerySet[ParkedOperation]:
    """The interface's parked lines in Ticketnet's journal order (the order to retry them in);
    only the pass lines of flat files with `passes=True`, only the web-service lines with
    `passes=False`."""
    qs = ParkedOperation.objects.filter(interface=interface)
    if not include_resolved:
        qs = qs.filter(resolved_at__isnull=True)
    if passes is True:
        qs = qs.exclude(_WEB_SERVICE_LINE)
    elif passes is False:
        qs = qs.filter(_WEB_SERVICE_LINE)
    return qs.order_by("position", "pk")


def parked_lines(*, interface: ExternalSalesInterface, ids: Iterable[int] | None = None,
                 passes: bool | None = None) -> list[tuple[ParkedOperation, OperationLine]]:
    """Unresolved parked lines with their `OperationLine`, ready to resolve and apply again."""
    qs = parked_operations(interface=interface, passes=passes)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return [(p, OperationLine.from_mapping(p.line)) for p in qs]


def parked_chain_batches(*, interface: ExternalSalesInterface, ids: Iterable[int] | None = None,
                         size: int) -> list[list[int]]:
    """The ids of the interface's open web-service parked lines, in batches of whole chains (a
    line and the lines waiting for it) of about `size` lines, the chains in their heads'
    journal order; only the chains of the lines `ids` if given (one query)."""
    rows = parked_operations(interface=interface, passes=False).values_list(
        "pk", "waiting_for_id")
    chains: dict[int, list[int]] = {}
    head_of: dict[int, int] = {}
    for pk, head in rows:
        # A line whose head is no longer open (resolved since) heads a chain of its own.
        head = head_of.get(head, pk)
        head_of[pk] = head
        chains.setdefault(head, []).append(pk)
    if ids is not None:
        wanted = {head_of[pk] for pk in map(int, ids) if pk in head_of}
        chains = {head: lines for head, lines in chains.items() if head in wanted}
    batches: list[list[int]] = [[]]
    for lines in chains.values():
        if len(batches[-1]) >= size:
            batches.append([])
        batches[-1].extend(lines)
    return [batch for batch in batches if batch]
