"""What the sales-engine benchmark applies, built with the ORM alone: an interface whose quota
holds a standing zone of N places, and the resolved SALE operations of those places."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from catalog import models as catalog
from catalog.series import seat_series
from channels import models as channels
from sales.types import OperationLine, OperationType, ResolvedOperation

PRICE_CENTS = 2500


@dataclass(frozen=True)
class StandingZone:
    interface: channels.ExternalSalesInterface
    performance: catalog.Performance
    zone: catalog.Zone
    category: catalog.SeatCategory
    tariff: catalog.Tariff


def _interface(institution: channels.Institution) -> channels.ExternalSalesInterface:
    """An interface whose channel, point of sale, quota and contact hang together."""
    channel = channels.SalesChannel.objects.create(
        institution=institution, name="Ticketnet", accepts_third_party_tickets=True)
    return channels.ExternalSalesInterface.objects.create(
        institution=institution, channel=channel, internal_name="Bench * Sales",
        url="127.0.0.1:7120", login="BENCH", client_name="ELCA", institution_code="505",
        pending_account=True, price_policy=channels.ExternalSalesInterface.PricePolicy.ERROR,
        contact=channels.Contact.objects.create(
            institution=institution, name="TICKETNET", pending_account_allowed=True),
        point_of_sale=channels.PointOfSale.objects.create(
            institution=institution, code="TKN", channel=channel),
        external_quota=channels.ExternalQuota.objects.create(
            institution=institution, name="Quota", channel=channel),
    )


def standing_zone(*, places: int) -> StandingZone:
    """One interface (price policy "error"), one performance, and a non-numbered zone of
    `places` places, all in the interface's quota at PRICE_CENTS."""
    institution = channels.Institution.objects.create(code="bench-sales", name="Bench",
                                                      language="en")
    interface = _interface(institution)
    category = catalog.SeatCategory.objects.create(institution=institution, name="Pit", rank=1)
    tariff = catalog.Tariff.objects.create(institution=institution, code="PLEIN", name="Plein")
    configuration = catalog.LogicalConfiguration.objects.create(
        hall=catalog.Hall.objects.create(institution=institution, name="Arena"), name="Standing")
    zone = catalog.Zone.objects.create(configuration=configuration, name="Pit", numbered=False,
                                       capacity=places, category=category)
    event = catalog.Event.objects.create(institution=institution, code="BENCH", name="Bench",
                                         season=2027)
    performance = catalog.Performance.objects.create(
        event=event, configuration=configuration,
        start=timezone.make_aware(dt.datetime(2027, 3, 1, 20, 30)))
    catalog.ZoneAllocation.objects.create(performance=performance, zone=zone,
                                          quota=interface.external_quota, places=places)
    catalog.Price.objects.create(event=event, category=category, tariff=tariff,
                                 amount_cents=PRICE_CENTS)
    return StandingZone(interface, performance, zone, category, tariff)


def place_sales(setup: StandingZone, *, count: int) -> list[ResolvedOperation]:
    """SALE operations of the zone's first `count` places, in their series' order."""
    sold_at = timezone.now() - dt.timedelta(minutes=5)
    return [
        ResolvedOperation(
            line=OperationLine(
                operation_id=f"OP{n:08d}", type=OperationType.SALE,
                ticket_number=f"TK{n:014d}", manifestation_code="1701",
                performance_code="2703012030", zone_code="101", row=row, seat=number,
                category_code="1", tariff_code="1", price_cents=PRICE_CENTS, time=sold_at,
                buyer_last_name="Dupont", buyer_first_name="Jeanne", buyer_city="Lyon",
            ),
            performance=setup.performance, zone=setup.zone, series_row=row,
            series_number=number, category=setup.category, tariff=setup.tariff,
        )
        for n, (row, number) in enumerate(seat_series(count))
    ]
