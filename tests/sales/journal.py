"""A coded world and a consistent Ticketnet journal over it, for the replay tests: lines go
through the real resolver (so a missing code parks them as it would in a run), and the
journal only sells free places and only duplicates or refunds active tickets, as Ticketnet."""

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.utils import timezone

from catalog import models as catalog
from channels import models as channels
from mappings.models import Correspondence, Kind
from mappings.suggestions import start_code
from sales import services
from sales.models import ParkedOperation, Ticket
from sales.resolve import OperationResolver
from sales.types import OperationLine, OperationType
from tests import factories as f

MANIFESTATIONS = ("1701", "1702")  # a competition's performances: one manifestation each
NUMBERED, FREE = "101", "102"
_ids = itertools.count(1)


@dataclass
class CodedWorld:
    """A competition with two performances on one hall configuration: a numbered zone whose
    seats alternate two categories, a non-numbered zone of the first category, two tariffs,
    every price different; all in the interface's quota and coded for Ticketnet."""

    interface: channels.ExternalSalesInterface
    performances: list[catalog.Performance]
    seats: list[catalog.Seat]
    places: int
    # (kind, code) → the correspondence's object field and object
    codes: dict[tuple[str, str], tuple[str, object]]
    prices: dict[tuple[str, str], int]  # (category code, tariff code) → cents

    def performance_codes(self, index: int) -> tuple[str, str]:
        """(manifestation, performance) of Ticketnet's lines for a performance."""
        return MANIFESTATIONS[index], start_code(self.performances[index].start)

    def missing(self, kind: str, code: str) -> None:
        Correspondence.objects.filter(interface=self.interface, kind=kind, code=code).delete()

    def enter(self, kind: str, code: str) -> None:
        name, obj = self.codes[(kind, code)]
        Correspondence.objects.create(interface=self.interface, kind=kind, code=code,
                                      **{name: obj})


def coded_world(*, seats: int = 4, places: int = 3) -> CodedWorld:
    institution = f.InstitutionFactory(language="en")
    interface = f.InterfaceFactory(institution=institution,
                                   price_policy=channels.ExternalSalesInterface.PricePolicy.ERROR)
    event = f.EventFactory(institution=institution, kind=catalog.Event.Kind.COMPETITION)
    f.ActivityProfileFactory(institution=institution, channel=interface.channel).events.add(event)
    first = f.PerformanceFactory(event=event)
    second = f.PerformanceFactory(event=event, configuration=first.configuration)
    categories = [f.SeatCategoryFactory(institution=institution) for _ in range(2)]
    tariffs = [f.TariffFactory(institution=institution) for _ in range(2)]
    zone = f.ZoneFactory(configuration=first.configuration)
    seat_objs = catalog.Seat.objects.bulk_create(
        catalog.Seat(zone=zone, row=1, number=n, category=categories[(n - 1) % 2])
        for n in range(1, seats + 1))
    free_zone = f.NonNumberedZoneFactory(configuration=first.configuration,
                                         category=categories[0], capacity=places + 500)
    quota = interface.external_quota
    for perf in (first, second):
        catalog.SeatAllocation.objects.bulk_create(
            catalog.SeatAllocation(performance=perf, seat=s, quota=quota) for s in seat_objs)
        catalog.ZoneAllocation.objects.create(performance=perf, zone=free_zone, quota=quota,
                                              places=places)
    prices = {}
    for (ci, category), (ti, tariff) in itertools.product(enumerate(categories, 1),
                                                          enumerate(tariffs, 1)):
        prices[(str(ci), str(ti))] = cents = 1000 * ci + 100 * ti
        f.PriceFactory(event=event, category=category, tariff=tariff, amount_cents=cents)
    codes = {(Kind.PERFORMANCE, f"{m}_{start_code(p.start)}"): ("performance", p)
             for m, p in zip(MANIFESTATIONS, (first, second), strict=True)}
    codes[(Kind.ZONE, NUMBERED)] = ("zone", zone)
    codes[(Kind.ZONE, FREE)] = ("zone", free_zone)
    for i, category in enumerate(categories, 1):
        codes[(Kind.CATEGORY, str(i))] = ("category", category)
    for i, tariff in enumerate(tariffs, 1):
        codes[(Kind.TARIFF, str(i))] = ("tariff", tariff)
    world = CodedWorld(interface, [first, second], seat_objs, places, codes, prices)
    for kind, code in codes:
        world.enter(kind, code)
    return world


@dataclass
class Journal:
    """Ticketnet's side: the places it may sell, the tickets active, and the lines so far."""

    world: CodedWorld
    lines: list[OperationLine] = field(default_factory=list)
    free: list[tuple] = field(default_factory=list)
    active: list[tuple[str, tuple, str]] = field(default_factory=list)  # number, place, tariff

    def __post_init__(self):
        w = self.world
        for perf in range(len(w.performances)):
            codes = w.performance_codes(perf)
            self.free += [(*codes, NUMBERED, 1, s.number, "1" if s.number % 2 else "2")
                          for s in w.seats]
            # A non-numbered zone's places are a seat series of rows of 1000.
            self.free += [(*codes, FREE, 1 + n // 1000, 1 + n % 1000, "1")
                          for n in range(w.places)]

    def _line(self, type_, place, tariff, *, number=None, original=None) -> OperationLine:
        manifestation, perf, zone, row, seat, category = place
        line = OperationLine(
            operation_id=f"J{next(_ids):09d}", type=type_,
            ticket_number=number or f"N{next(_ids):015d}", original_ticket_number=original,
            manifestation_code=manifestation, performance_code=perf, zone_code=zone, row=row,
            seat=seat, category_code=category, tariff_code=tariff,
            price_cents=self.world.prices[(category, tariff)], currency="EUR",
            time=timezone.now() - dt.timedelta(hours=1) + dt.timedelta(
                milliseconds=len(self.lines)),
            point_of_sale_code="TN01", buyer_last_name=f"Buyer {len(self.lines)}")
        self.lines.append(line)
        return line

    def sale(self, pick: int, tariff: str = "1") -> OperationLine | None:
        if not self.free:
            return None
        place = self.free.pop(pick % len(self.free))
        line = self._line(OperationType.SALE, place, tariff)
        self.active.append((line.ticket_number, place, tariff))
        return line

    def duplicate(self, pick: int) -> OperationLine | None:
        if not self.active:
            return None
        i = pick % len(self.active)
        number, place, tariff = self.active[i]
        line = self._line(OperationType.DUPLICATE, place, tariff, original=number)
        self.active[i] = (line.ticket_number, place, tariff)
        return line

    def refund(self, pick: int) -> OperationLine | None:
        if not self.active:
            return None
        number, place, tariff = self.active.pop(pick % len(self.active))
        self.free.append(place)
        return self._line(OperationType.REFUND, place, tariff, number=number, original=number)


def integrate(world: CodedWorld, pages: list[list[OperationLine]]) -> None:
    """Each page resolved with the interface's codes of now and applied, as a run does."""
    resolver = OperationResolver(interface=world.interface)
    for page in pages:
        services.operations_apply(interface=world.interface, operations=resolver.resolve(page))


def retry(world: CodedWorld, *, batch_lines: int = services.REPLAY_BATCH, ids=None) -> list:
    resolver = OperationResolver(interface=world.interface)
    return [result for _n, result in services.parked_lines_replay(
        interface=world.interface, resolver=resolver, ids=ids, batch_lines=batch_lines)]


def tickets(world: CodedWorld) -> list[tuple]:
    """Every ticket as the operator sees it (originals by number), in number order."""
    qs = Ticket.objects.filter(interface=world.interface)
    numbers = dict(qs.values_list("pk", "number"))
    return sorted(
        (t.number, t.state, t.performance_id, t.seat_id, t.zone_id, t.series_row,
         t.series_number, t.category_id, t.tariff_id, t.price_cents, t.reseller_price_cents,
         numbers.get(t.original_id), t.operation_id, t.ended_by_operation_id, t.ended_at, t.sold_at,
         t.buyer_last_name)
        for t in qs)


def open_parked(world: CodedWorld) -> list[tuple[str, str]]:
    return list(ParkedOperation.objects.filter(interface=world.interface, resolved_at=None)
                .order_by("position").values_list("operation_id", "reason"))
