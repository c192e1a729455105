"""Ticketnet codes → catalogue objects: an `OperationLine` becomes a `ResolvedOperation`, or one
carrying the `Problem` it is parked with (unknown code, seat not in the zone…)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models.base import ModelState
from django.utils.translation import gettext_lazy

from catalog.models import Performance, Seat, SeatCategory, Tariff, Zone
from catalog.series import series_contains
from channels.models import ExternalSalesInterface
from mappings.models import Kind
from mappings.selectors import CorrespondenceBook, correspondence_book
from mappings.validators import normalize_code, split_double_code
from texts import text

from .types import OperationLine, OperationType, ParkReason, Problem, ResolvedOperation

# What Ticketnet calls each code, for the messages and the run's summary.
MANIFESTATION, PERFORMANCE = "manifestation", "performance"
ZONE, CATEGORY, TARIFF = Kind.ZONE.value, Kind.CATEGORY.value, Kind.TARIFF.value


def code_kind_label(kind: str):
    """The kind of a Ticketnet code as the messages name it (a lazy text: the reader's)."""
    return {
        MANIFESTATION: gettext_lazy("manifestation"),
        PERFORMANCE: gettext_lazy("performance"),
        ZONE: gettext_lazy("zone"),
        CATEGORY: gettext_lazy("seat category"),
        TARIFF: gettext_lazy("tariff"),
    }.get(kind, kind)


_SEAT_DEFAULTS = {
    f.attname: (None if f.null or f.primary_key else f.get_default())
    for f in Seat._meta.concrete_fields
}


def _new_seat(**values) -> Seat:
    """A Seat from attnames without Model.__init__'s per-field work (one per seat a run sells);
    every concrete field gets its default first, as __init__ would."""
    seat = Seat.__new__(Seat)
    seat.__dict__.update(_SEAT_DEFAULTS)
    seat.__dict__.update(values)
    seat._state = ModelState()
    return seat


def _unknown(kind: str, code: str) -> Problem:
    # The kind's label is the reader's: rendered with the message (`park_message`).
    return Problem(ParkReason.UNKNOWN_CODE, {"kind_key": kind, "code": code})


def _invalid(detail: dict) -> Problem:
    """`detail`: a stored text (`texts.text`), rendered in the reader's language."""
    return Problem(ParkReason.INVALID_LINE, {"detail": detail})


class OperationResolver:
    """Resolves the lines of one interface, page after page.

    The interface's codes are read once; performances, zones and the seats of the zones a page
    touches are read once per page for those not seen before (a few queries per page, none for
    a page that only touches known objects). Seats are matched as numbers (`0012` = 12); a
    non-numbered zone is matched on its seat series (rows of 1000)."""

    def __init__(self, *, interface: ExternalSalesInterface,
                 book: CorrespondenceBook | None = None):
        self.interface = interface
        self.book = book or correspondence_book(interface=interface)
        self._manifestations = set()
        for kind, _object_id, code in self.book.items():
            if kind == Kind.EVENT:
                self._manifestations.add(normalize_code(code))
            elif kind == Kind.PERFORMANCE:
                self._manifestations.add(normalize_code(split_double_code(code)[0]))
        self._categories = {c.pk: c for c in SeatCategory.objects.filter(
            pk__in=self._ids(Kind.CATEGORY)).only("id", "name")}
        self._tariffs = {t.pk: t for t in Tariff.objects.filter(
            pk__in=self._ids(Kind.TARIFF)).only("id", "code", "name")}
        self._performances: dict[int, Performance] = {}
        self._zones: dict[int, Zone] = {}
        # zone id → (row, number) → (seat id, category id); Seat objects made when first used.
        self._seat_keys: dict[int, dict[tuple[int, int], tuple[int, int]]] = {}
        self._seats: dict[int, Seat] = {}
        self._codes: dict[tuple, tuple] = {}

    def _ids(self, kind: str) -> set[int]:
        return {object_id for k, object_id, _code in self.book.items() if k == kind}

    # Reading what a page needs ------------------------------------------------------------

    def _performance_id(self, line: OperationLine) -> int | None:
        return self.book.performance_id_for(line.manifestation_code, line.performance_code)

    def prefetch(self, lines: Iterable[OperationLine]) -> None:
        perf_ids, zone_ids = set(), set()
        seen = self._codes
        for line in lines:
            if line.type != OperationType.SALE or (
                line.manifestation_code, line.performance_code, line.zone_code,
                line.category_code, line.tariff_code) in seen:
                continue
            perf_id = self._performance_id(line)
            if perf_id is not None and perf_id not in self._performances:
                perf_ids.add(perf_id)
            zone_id = self.book.object_id_for(Kind.ZONE, line.zone_code)
            if zone_id is not None and zone_id not in self._zones:
                zone_ids.add(zone_id)
        if perf_ids:
            for p in Performance.objects.filter(pk__in=perf_ids).only(
                "id", "event_id", "configuration_id", "closed", "cancelled", "start"
            ):
                self._performances[p.pk] = p
        if zone_ids:
            numbered = []
            for z in Zone.objects.filter(pk__in=zone_ids).only(
                "id", "name", "configuration_id", "numbered", "capacity", "category_id"
            ):
                self._zones[z.pk] = z
                if z.numbered:
                    numbered.append(z.pk)
                    self._seat_keys[z.pk] = {}
            if numbered:
                for zone_id, row, number, seat_id, category_id in Seat.objects.filter(
                    zone_id__in=numbered
                ).values_list("zone_id", "row", "number", "id", "category_id").iterator(
                    chunk_size=20_000
                ):
                    self._seat_keys[zone_id][(row, number)] = (seat_id, category_id)

    # Resolving ----------------------------------------------------------------------------

    def resolve(self, lines: Sequence[OperationLine]) -> list[ResolvedOperation]:
        """The page's lines in order, each resolved or carrying its problem."""
        self.prefetch(lines)
        return [self.resolve_line(line) for line in lines]

    def resolve_line(self, line: OperationLine) -> ResolvedOperation:
        if line.type != OperationType.SALE:
            # A duplicate or refund acts on the ticket it names: nothing to resolve.
            return ResolvedOperation(line=line)
        key = (line.manifestation_code, line.performance_code, line.zone_code,
               line.category_code, line.tariff_code)
        codes = self._codes.get(key)
        if codes is None:
            codes = self._codes[key] = self._resolve_codes(line)
        problem, perf, zone, category, tariff = codes
        if problem is not None:
            return ResolvedOperation(line=line, problem=problem)
        if line.row is None or line.seat is None:
            return ResolvedOperation(line=line,
                                     problem=_invalid(text("row or seat missing")))
        if zone.numbered:
            found = self._seat_keys[zone.pk].get((line.row, line.seat))
            if found is None:
                return ResolvedOperation(line=line, problem=_invalid(text(
                    "seat %(place)s does not exist in zone %(code)s (“%(zone)s”)",
                    place=f"{line.row}-{line.seat}", code=line.zone_code, zone=zone.name)))
            seat_id, seat_category_id = found
            if seat_category_id != category.pk:
                return ResolvedOperation(line=line, problem=_invalid(text(
                    "seat %(place)s of zone %(code)s is not in seat category %(category)s",
                    place=f"{line.row}-{line.seat}", code=line.zone_code,
                    category=line.category_code)))
            return ResolvedOperation(line=line, performance=perf,
                                     seat=self._seat(seat_id, zone, line, seat_category_id),
                                     category=category, tariff=tariff)
        if not series_contains(zone.capacity or 0, line.row, line.seat):
            return ResolvedOperation(line=line, problem=_invalid(text(
                "seat %(place)s is not in the seat series of the non-numbered zone "
                "%(code)s (“%(zone)s”, %(capacity)s places)",
                place=f"{line.row}-{line.seat}", code=line.zone_code, zone=zone.name,
                capacity=zone.capacity)))
        return ResolvedOperation(line=line, performance=perf, zone=zone, series_row=line.row,
                                 series_number=line.seat, category=category, tariff=tariff)

    def _resolve_codes(self, line: OperationLine) -> tuple:
        """(problem, performance, zone, category, tariff) of a line's codes; cached per
        combination of codes by `resolve_line` (a run sees few of them)."""
        problem = self.unknown_code(line)
        if problem is not None:
            return problem, None, None, None, None
        book = self.book
        zone_id = book.object_id_for(Kind.ZONE, line.zone_code)
        if zone_id not in self._zones:
            self.prefetch([line])
        perf = self._performance(self._performance_id(line))
        zone = self._zone(zone_id)
        category = self._categories.get(book.object_id_for(Kind.CATEGORY, line.category_code))
        tariff = self._tariffs.get(book.object_id_for(Kind.TARIFF, line.tariff_code))
        if perf is None or zone is None or category is None or tariff is None:
            # A correspondence whose object is gone (deleted since the book was read).
            return (_invalid(text("a code points to an object that no longer exists")),
                    None, None, None, None)
        if zone.configuration_id != perf.configuration_id:
            return (_invalid(text(
                "zone %(code)s (“%(zone)s”) is not in the hall configuration of the "
                "performance", code=line.zone_code, zone=zone.name)),
                None, None, None, None)
        return None, perf, zone, category, tariff

    def unknown_code(self, line: OperationLine) -> Problem | None:
        """The first code of a SALE line that has no correspondence, as a problem."""
        if line.type != OperationType.SALE:
            return None
        book = self.book
        if self._performance_id(line) is None:
            if normalize_code(line.manifestation_code) not in self._manifestations:
                return _unknown(MANIFESTATION, line.manifestation_code)
            return _unknown(PERFORMANCE, f"{line.manifestation_code}/{line.performance_code}")
        if book.object_id_for(Kind.ZONE, line.zone_code) is None:
            return _unknown(ZONE, line.zone_code)
        if book.object_id_for(Kind.CATEGORY, line.category_code) is None:
            return _unknown(CATEGORY, line.category_code)
        if book.object_id_for(Kind.TARIFF, line.tariff_code) is None:
            return _unknown(TARIFF, line.tariff_code)
        return None

    def _performance(self, pk: int | None) -> Performance | None:
        if pk is None:
            return None
        perf = self._performances.get(pk)
        if perf is None:
            perf = Performance.objects.filter(pk=pk).only(
                "id", "event_id", "configuration_id", "closed", "cancelled", "start").first()
            if perf is not None:
                self._performances[pk] = perf
        return perf

    def _zone(self, pk: int | None) -> Zone | None:
        return None if pk is None else self._zones.get(pk)

    def _seat(self, seat_id: int, zone: Zone, line: OperationLine, category_id: int) -> Seat:
        seat = self._seats.get(seat_id)
        if seat is None:
            seat = self._seats[seat_id] = _new_seat(id=seat_id, zone_id=zone.pk, row=line.row,
                                                    number=line.seat, category_id=category_id)
        return seat

