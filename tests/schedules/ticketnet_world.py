"""A small Ticketnet world for the integration tests: the sales set-up of tests/sales with its
codes, an interface pointed at the simulator, and the manifestation and allotments created
at the simulator over HTTP (as the export jobs would)."""

from dataclasses import dataclass

from catalog.series import seat_series
from mappings.models import Correspondence, Kind
from mappings.suggestions import start_code
from tests import factories as f
from tests.sales import factories as sf
from ticketnet_gateway import types as t
from ticketnet_gateway.client import TicketnetClient

MANIFESTATION = "1701"
NUMBERED_ZONE, FREE_ZONE, CATEGORY, TARIFF = "101", "102", "1", "1"


@dataclass
class World:
    setup: sf.SalesSetup
    simulator: object
    performance_code: str

    @property
    def interface(self):
        return self.setup.interface

    @property
    def state(self):
        return self.simulator.state

    def sell(self, seat=1, *, zone=NUMBERED_ZONE, row=1, price_cents=None, tariff=TARIFF):
        return self.state.sell(
            manifestation=MANIFESTATION, performance=self.performance_code, zone=zone, row=row,
            seat=seat, category=CATEGORY, tariff=tariff,
            price_cents=self.setup.price_cents if price_cents is None else price_cents,
            buyer_last_name="Dupont", buyer_city="Lyon")


def point_at(interface, simulator) -> None:
    interface.url = simulator.url
    interface.login = simulator.login
    interface.institution_code = simulator.institution_code
    interface.set_password(simulator.password)
    interface.save()


def codes(setup: sf.SalesSetup, *, skip=()) -> None:
    i = setup.interface
    rows = [
        (Kind.EVENT, "event", setup.event, MANIFESTATION),
        (Kind.CONFIGURATION, "configuration", setup.performance.configuration, "1"),
        (Kind.ZONE, "zone", setup.zone, NUMBERED_ZONE),
        (Kind.ZONE, "zone", setup.free_zone, FREE_ZONE),
        (Kind.CATEGORY, "category", setup.category, CATEGORY),
        (Kind.TARIFF, "tariff", setup.tariff, TARIFF),
    ]
    for kind, field, obj, code in rows:
        if (kind, code) in skip:
            continue
        Correspondence.objects.create(interface=i, kind=kind, code=code, **{field: obj})


def extra_tariffs(setup: sf.SalesSetup, n: int) -> list[tuple[str, object]]:
    """`n` more tariffs coded "2", "3"…, each a euro dearer than the one before: (code,
    tariff, price)."""
    made = []
    for code in range(2, n + 2):
        tariff = f.TariffFactory(institution=setup.interface.institution)
        price = setup.price_cents + 100 * (code - 1)
        f.PriceFactory(event=setup.event, category=setup.category, tariff=tariff,
                       amount_cents=price)
        made.append((str(code), tariff, price))
    return made


def make_world(simulator, *, seats=10, places=2500, skip_codes=(), language="en", tariffs=1,
               **setup_kw) -> World:
    """`skip_codes={(Kind.ZONE, "101")}` leaves that code out of the correspondences (Ticketnet
    still has it). `tariffs`: how many tariffs Ticketnet sells (coded "1", "2"…)."""
    setup_kw.setdefault("institution", f.InstitutionFactory(language=language))
    s = sf.sales_setup(seats=seats, places=places, **setup_kw)
    point_at(s.interface, simulator)
    codes(s, skip=skip_codes)
    more = extra_tariffs(s, tariffs - 1)
    for code, tariff, _price in more:
        if (Kind.TARIFF, code) not in skip_codes:
            Correspondence.objects.create(interface=s.interface, kind=Kind.TARIFF, code=code,
                                          tariff=tariff)
    perf_code = start_code(s.performance.start)
    client = TicketnetClient(**simulator.credentials, retry_backoff=0.01)
    client.create_manifestation(t.Manifestation(
        code=MANIFESTATION, name=s.event.name, hall_code="1",
        performances=(t.PerformanceSpec(perf_code, s.performance.start),),
        seat_categories=(t.NamedCode(CATEGORY, s.category.name),),
        tariffs=(t.NamedCode(TARIFF, s.tariff.name),
                 *(t.NamedCode(code, tariff.name) for code, tariff, _price in more)),
        zones=(
            t.ZoneSpec(NUMBERED_ZONE, s.zone.name, seats=tuple(
                t.SeatSpec(seat.row, seat.number, CATEGORY) for seat in s.seats)),
            t.ZoneSpec(FREE_ZONE, s.free_zone.name, capacity=s.free_zone.capacity,
                       category_code=CATEGORY),
        ),
        prices=(t.PriceSpec(CATEGORY, TARIFF, s.price_cents),
                *(t.PriceSpec(CATEGORY, code, price) for code, _tariff, price in more)),
    ))
    # As the allotment export sends them: the seats, then the zone's places as the first
    # places of its series (Ticketnet sells no other place of a non-numbered zone).
    client.export_allotment(
        manifestation_code=MANIFESTATION, performance_code=perf_code,
        seats=[t.AllottedSeat(NUMBERED_ZONE, seat.row, seat.number, CATEGORY)
               for seat in s.seats]
        + [t.AllottedSeat(FREE_ZONE, row, number, CATEGORY)
           for row, number in seat_series(places)])
    client.set_zone_quota(manifestation_code=MANIFESTATION, performance_code=perf_code,
                          zone_code=FREE_ZONE, places_available=places)
    return World(setup=s, simulator=simulator, performance_code=perf_code)
