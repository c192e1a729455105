"""An interface with a sales history of any size, built in bulk: runs over the last days,
valid and refunded tickets on an upcoming performance, open parked lines."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from catalog.models import Performance
from channels.models import ExternalSalesInterface
from demo.management.commands.load_demo import operators_group
from sales.models import Order, ParkedOperation, Ticket
from schedules.models import Job, Run
from tests import factories as f


@dataclass
class World:
    interface: ExternalSalesInterface
    performance: Performance
    operator: object


def add_history(world: World, *, runs: int, tickets: int, parked: int) -> None:
    interface, performance = world.interface, world.performance
    now = timezone.now()
    statuses = [Run.Status.ERROR] + [Run.Status.OK] * 7 + [Run.Status.WARNING] * 2
    Run.objects.bulk_create(
        Run(interface=interface, job=Job.SALES_INTEGRATION, trigger=Run.Trigger.SCHEDULED,
            status=statuses[n % 10], started_at=now - dt.timedelta(minutes=10 * (n + 1)),
            finished_at=now - dt.timedelta(minutes=10 * (n + 1) - 1), counts={"sold": 2})
        for n in range(runs)
    )
    zone = performance.zone_allocations.get().zone
    order = Order.objects.create(interface=interface, contact=interface.contact,
                                 point_of_sale=interface.point_of_sale)
    category = f.SeatCategoryFactory(institution=interface.institution)
    tariff = f.TariffFactory(institution=interface.institution)
    Ticket.objects.bulk_create(
        Ticket(interface=interface, number=f"T{n}", performance=performance, zone=zone,
               series_row=1 + n // 1000, series_number=1 + n % 1000,
               state=Ticket.State.CANCELLED if n % 10 == 0 else Ticket.State.VALID,
               category=category, tariff=tariff, price_cents=2500, reseller_price_cents=2500,
               order=order, operation_id=f"OP{n}", sold_at=now)
        for n in range(tickets)
    )
    ParkedOperation.objects.bulk_create(
        ParkedOperation(interface=interface, operation_id=f"PK{n}", type="SALE", line={},
                        reason="unknown_code" if n % 3 else "price_difference", message="",
                        first_attempt_at=now, last_attempt_at=now)
        for n in range(parked)
    )


@pytest.fixture
def world(db) -> World:
    institution = f.InstitutionFactory(code="opera", name="Opéra")
    interface = f.InterfaceFactory(institution=institution, internal_name="FR * Ticketnet")
    event = f.EventFactory(institution=institution, code="CONC27", name="Concert")
    performance = f.PerformanceFactory(event=event,
                                       start=timezone.now() + dt.timedelta(days=3))
    f.ZoneAllocationFactory(performance=performance, quota=interface.external_quota,
                            places=20_000, zone__capacity=20_000)
    operator = f.UserFactory(username="operator", institutions=[institution])
    operator.groups.add(operators_group())
    return World(interface=interface, performance=performance, operator=operator)


def client_for(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client
