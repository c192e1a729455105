"""What the allotment export and the quota sync read: the performances Ticketnet knows (as the
catalogue export recorded them), those it does not know yet, and the seats of the interface's
quota streamed from the database, never a whole stadium in memory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Sum

from catalog.models import Event, Performance, SeatAllocation, Zone, ZoneAllocation
from catalog.series import seat_series
from channels.models import ExternalSalesInterface
from mappings.locks import known_manifestation_codes
from mappings.models import Kind
from mappings.selectors import CorrespondenceBook
from mappings.validators import split_double_code

from .models import ExportedManifestation
from .ticketnet import AllottedSeat

STREAM_CHUNK = 5000
EVENT, PERFORMANCE = Kind.EVENT.value, Kind.PERFORMANCE.value


@dataclass(frozen=True)
class ExportedPerformance:
    performance_id: int
    event_id: int
    manifestation_code: str
    performance_code: str

    @property
    def label(self) -> str:
        return f"{self.manifestation_code}/{self.performance_code}"


def exported_performances(*, interface: ExternalSalesInterface,
                          event: Event | None = None) -> list[ExportedPerformance]:
    """Every performance sent by the catalogue exports of `interface` (of `event`), with the
    codes Ticketnet knows: those sent (a performance's start changed since is still known by
    its old code), or the code of a change Ticketnet confirmed since."""
    qs = ExportedManifestation.objects.filter(interface=interface)
    if event is not None:
        qs = qs.filter(event=event)
    known = known_manifestation_codes(interface=interface)
    out = []
    for code, event_id, competition_perf_id, performances in qs.order_by(
            "manifestation_code").values_list(
            "manifestation_code", "event_id", "performance_id", "performances"):
        for perf in performances:
            manifestation, performance = code, perf["code"]
            if competition_perf_id is not None and (PERFORMANCE, competition_perf_id) in known:
                manifestation, performance = split_double_code(
                    known[(PERFORMANCE, competition_perf_id)])
            elif competition_perf_id is None:
                manifestation = known.get((EVENT, event_id), code)
            out.append(ExportedPerformance(performance_id=perf["id"], event_id=event_id,
                                           manifestation_code=manifestation,
                                           performance_code=performance))
    return out


def performances_not_exported(*, interface: ExternalSalesInterface, exported_ids: set[int],
                              event: Event | None = None) -> list[Performance]:
    """Performances with seats or places in the interface's quota that no catalogue export
    sent (event never exported, or a performance added after its export)."""
    quota_id = interface.external_quota_id
    with_seats = SeatAllocation.objects.filter(quota_id=quota_id).values("performance_id")
    with_places = ZoneAllocation.objects.filter(quota_id=quota_id).values("performance_id")
    qs = Performance.objects.filter(
        event__institution_id=interface.institution_id,
        event__kind__in=(Event.Kind.SINGLE, Event.Kind.COMPETITION),
    ).filter(pk__in=with_seats.union(with_places)).exclude(pk__in=exported_ids)
    if event is not None:
        qs = qs.filter(event=event)
    return list(qs.select_related("event").order_by("event__code", "start"))


def cancelled_performances(*, performance_ids: list[int]) -> set[int]:
    """Those of the performances that are cancelled (one query)."""
    return set(Performance.objects.filter(pk__in=performance_ids, cancelled=True)
               .values_list("pk", flat=True))


def allotment_size(*, interface: ExternalSalesInterface, performance_ids: list[int]) -> int:
    """Seats plus non-numbered places of the quota for these performances (two queries)."""
    quota_id = interface.external_quota_id
    seats = SeatAllocation.objects.filter(quota_id=quota_id,
                                          performance_id__in=performance_ids).count()
    places = ZoneAllocation.objects.filter(
        quota_id=quota_id, performance_id__in=performance_ids).aggregate(n=Sum("places"))["n"]
    return seats + (places or 0)


@dataclass
class UnmappedZone:
    zone_id: int
    name: str
    seats: int = 0


class AllotmentSeats:
    """The seats of one performance in the interface's quota, as Ticketnet's allotment: every
    `SeatAllocation` (streamed), then for each non-numbered zone the first N seats of its seat
    series, N the places allocated. Seats whose zone or category has no code are left out and
    counted in `unmapped`.

    Seats Ticketnet already sold stay in: they are still Ticketnet's (its quota), a refund at
    Ticketnet must find the seat allotted to sell it again, and the allotment replaces the
    previous one, so leaving them out would take them away from Ticketnet."""

    def __init__(self, *, interface: ExternalSalesInterface, book: CorrespondenceBook,
                 performance_id: int, cancelled: bool = False):
        self.interface, self.book, self.performance_id = interface, book, performance_id
        # A cancelled performance's allotment is empty: Ticketnet sells nothing more of it.
        self.cancelled = cancelled
        self.seats = 0
        self.places = 0
        self.unmapped: dict[int, UnmappedZone] = {}
        self._zone_names: dict[int, str] = {}
        self._series: dict[int, tuple[str, str, int]] | None = None

    def _unmapped(self, zone_id: int, n: int = 1) -> None:
        entry = self.unmapped.get(zone_id)
        if entry is None:
            name = Zone.objects.filter(pk=zone_id).values_list("name", flat=True).first()
            entry = self.unmapped[zone_id] = UnmappedZone(zone_id=zone_id, name=name or "?")
        entry.seats += n

    def __iter__(self) -> Iterator[AllottedSeat]:
        if self.cancelled:
            return
        code_for = self.book.code_for
        zone_codes: dict[int, str | None] = {}
        category_codes: dict[int, str | None] = {}
        rows = (
            SeatAllocation.objects.filter(quota_id=self.interface.external_quota_id,
                                          performance_id=self.performance_id)
            .order_by("seat__zone_id", "seat__row", "seat__number")
            .values_list("seat__zone_id", "seat__row", "seat__number", "seat__category_id")
            .iterator(chunk_size=STREAM_CHUNK)
        )
        for zone_id, row, number, category_id in rows:
            zone_code = zone_codes.get(zone_id, 0)
            if zone_code == 0:
                zone_code = zone_codes[zone_id] = code_for(Kind.ZONE, zone_id)
            category_code = category_codes.get(category_id, 0)
            if category_code == 0:
                category_code = category_codes[category_id] = code_for(Kind.CATEGORY,
                                                                       category_id)
            if zone_code is None or category_code is None:
                self._unmapped(zone_id)
                continue
            self.seats += 1
            yield AllottedSeat(zone_code=zone_code, row=row, number=number,
                               category_code=category_code)
        for zone_code, category_code, places in self.series_zones().values():
            for row, number in seat_series(places):
                self.places += 1
                yield AllottedSeat(zone_code=zone_code, row=row, number=number,
                                   category_code=category_code)

    def series_zones(self) -> dict[int, tuple[str, str, int]]:
        """zone id → (zone code, category code, places) of each non-numbered zone sent: its
        first `places` series places. Read once; a zone without codes is left out (unmapped)."""
        if self._series is None:
            self._series = {}
            if self.cancelled:
                return self._series
            for zone_id, category_id, places in ZoneAllocation.objects.filter(
                quota_id=self.interface.external_quota_id, performance_id=self.performance_id,
            ).order_by("zone_id").values_list("zone_id", "zone__category_id", "places"):
                zone_code = self.book.code_for(Kind.ZONE, zone_id)
                category_code = (self.book.code_for(Kind.CATEGORY, category_id)
                                 if category_id else None)
                if zone_code is None or category_code is None:
                    self._unmapped(zone_id, places)
                    continue
                self._series[zone_id] = (zone_code, category_code, places)
        return self._series

    def zone_places(self) -> dict[int, int]:
        """zone id → places of its series this allotment sends."""
        return {zone_id: places for zone_id, (_z, _c, places) in self.series_zones().items()}
