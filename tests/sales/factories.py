"""A small Ticketnet set-up for the sales tests, and builders of resolved operations."""

import datetime as dt
import itertools
from dataclasses import dataclass

from django.utils import timezone

from catalog import models as catalog
from channels import models as channels
from sales.types import OperationLine, OperationType, ResolvedOperation
from tests import factories as f

_ids = itertools.count(1)


@dataclass
class SalesSetup:
    interface: channels.ExternalSalesInterface
    event: catalog.Event
    performance: catalog.Performance
    zone: catalog.Zone
    seats: list[catalog.Seat]
    free_zone: catalog.Zone  # non-numbered
    category: catalog.SeatCategory
    tariff: catalog.Tariff
    price_cents: int


def sales_setup(*, seats=10, in_quota=None, places=2500, price_cents=2500,
                policy=channels.ExternalSalesInterface.PricePolicy.ERROR, institution=None):
    """An interface, one performance, a numbered zone of `seats` seats of which `in_quota`
    are in the interface's quota, and a non-numbered zone with `places` in the quota."""
    institution = institution or f.InstitutionFactory()
    interface = f.InterfaceFactory(institution=institution, price_policy=policy)
    event = f.EventFactory(institution=institution)
    profile = f.ActivityProfileFactory(institution=institution, channel=interface.channel)
    profile.events.add(event)
    performance = f.PerformanceFactory(event=event)
    category = f.SeatCategoryFactory(institution=institution)
    tariff = f.TariffFactory(institution=institution)
    zone = f.ZoneFactory(configuration=performance.configuration)
    seat_objs = catalog.Seat.objects.bulk_create(
        catalog.Seat(zone=zone, row=1, number=n, category=category) for n in range(1, seats + 1)
    )
    quota = interface.external_quota
    in_quota = seats if in_quota is None else in_quota
    catalog.SeatAllocation.objects.bulk_create(
        catalog.SeatAllocation(performance=performance, seat=s, quota=quota)
        for s in seat_objs[:in_quota]
    )
    free_zone = f.NonNumberedZoneFactory(
        configuration=performance.configuration, category=category, capacity=max(places, 1) + 500
    )
    catalog.ZoneAllocation.objects.create(
        performance=performance, zone=free_zone, quota=quota, places=places
    )
    f.PriceFactory(event=event, category=category, tariff=tariff, amount_cents=price_cents)
    return SalesSetup(interface, event, performance, zone, seat_objs, free_zone, category,
                      tariff, price_cents)


def line(type=OperationType.SALE, *, number=None, original=None, price_cents=2500, row=1,
         seat=1, op_id=None, **kw) -> OperationLine:
    op_id = op_id or f"OP{next(_ids):08d}"
    return OperationLine(
        operation_id=op_id,
        type=type,
        ticket_number=number or f"TK{next(_ids):014d}",
        original_ticket_number=original,
        manifestation_code="1701",
        performance_code="2612012030",
        zone_code="101",
        row=row,
        seat=seat,
        category_code="1",
        tariff_code="1",
        price_cents=price_cents,
        currency="EUR",
        time=kw.pop("time", timezone.now() - dt.timedelta(minutes=5)),
        point_of_sale_code="TN01",
        buyer_last_name=kw.pop("buyer_last_name", "Dupont"),
        buyer_first_name="Jeanne",
        buyer_city="Lyon",
        buyer_postal_code="69001",
        buyer_country="FR",
        **kw,
    )


def sale(setup: SalesSetup, seat_index=0, **kw) -> ResolvedOperation:
    seat = setup.seats[seat_index]
    return ResolvedOperation(
        line=line(OperationType.SALE, seat=seat.number, **kw),
        performance=setup.performance, seat=seat, category=setup.category,
        tariff=setup.tariff,
    )


def place_sale(setup: SalesSetup, row, number, **kw) -> ResolvedOperation:
    return ResolvedOperation(
        line=line(OperationType.SALE, row=row, seat=number, **kw),
        performance=setup.performance, zone=setup.free_zone, series_row=row,
        series_number=number, category=setup.category, tariff=setup.tariff,
    )


def duplicate(original_number, **kw) -> ResolvedOperation:
    return ResolvedOperation(line=line(OperationType.DUPLICATE, original=original_number, **kw))


def refund(number, **kw) -> ResolvedOperation:
    return ResolvedOperation(
        line=line(OperationType.REFUND, number=number, original=number, **kw)
    )
