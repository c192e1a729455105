"""Parked lines replay in Ticketnet's order (issue 10, item 3), through the real job against the
simulator: a journal integrated with a tariff code missing, the code entered, one retry, ends
with exactly the tickets of a run that had the code from the start."""

import pytest
from django.db import transaction
from django.urls import reverse

from mappings.models import Correspondence, Kind
from sales.models import ParkedOperation, Ticket
from sales.types import ParkReason
from schedules.framework.runner import job_run
from schedules.models import Run
from tests.sales.journal import Journal, coded_world
from tests.sales.journal import integrate as integrate_lines
from tests.schedules.test_admin import staff_of
from tests.schedules.ticketnet_world import make_world

pytestmark = pytest.mark.django_db

MISSING = "2"  # of tariffs "1", "2", "3"


def integrate(world, **params):
    return job_run(interface_id=world.interface.pk, job="sales_integration", params=params)


def tickets(interface):
    """Every ticket of the interface as the operator sees it, originals by number."""
    numbers = dict(Ticket.objects.filter(interface=interface).values_list("pk", "number"))
    return sorted(
        (t.number, t.state, t.performance_id, t.seat_id, t.zone_id, t.series_row,
         t.series_number, t.category_id, t.tariff_id, t.price_cents, t.reseller_price_cents,
         numbers.get(t.original_id), t.operation_id, t.ended_by_operation_id, t.ended_at, t.sold_at,
         t.buyer_last_name, t.buyer_city)
        for t in Ticket.objects.filter(interface=interface)
    )


def enter_missing_code(world):
    Correspondence.objects.create(interface=world.interface, kind=Kind.TARIFF, code=MISSING,
                                  tariff=world.missing_tariff)


@pytest.fixture
def world(simulator):
    # A small hall sold out many times over: refunded seats and places are sold again, often
    # under another tariff, after the sale they were refunded from.
    w = make_world(simulator, seats=120, places=150, tariffs=3,
                   skip_codes={(Kind.TARIFF, MISSING)})
    w.missing_tariff = w.setup.tariff.__class__.objects.filter(
        institution=w.interface.institution).order_by("pk")[1]
    w.state.generate(count=3000, seed=10)
    return w


def test_a_code_missing_then_entered_and_one_retry_gives_the_tickets_of_a_run_with_it(world):
    # What integrating with the code from the start gives (then undone).
    sid = transaction.savepoint()
    enter_missing_code(world)
    assert integrate(world, page_size=700).status == Run.Status.OK
    expected = tickets(world.interface)
    transaction.savepoint_rollback(sid)
    assert not Ticket.objects.filter(interface=world.interface).exists()

    first = integrate(world, page_size=700)
    assert first.status == Run.Status.WARNING
    parked = ParkedOperation.objects.filter(interface=world.interface)
    problems = parked.exclude(reason=ParkReason.WAITING_FOR_ORIGINAL)
    waiting = parked.filter(reason=ParkReason.WAITING_FOR_ORIGINAL)
    # Only the sales under the missing tariff are problems; their duplicates and refunds
    # wait for them, each linked to its chain's head.
    assert set(problems.values_list("reason", flat=True)) == {ParkReason.UNKNOWN_CODE}
    assert set(problems.values_list("type", flat=True)) == {"SALE"}
    assert first.counts["parked"] == problems.count() > 300
    assert first.counts["waiting"] == waiting.count() > 50
    assert not waiting.filter(waiting_for=None).exists()
    assert not waiting.exclude(waiting_for__reason=ParkReason.UNKNOWN_CODE).exists()
    # Seats refunded in Ticketnet's journal after a parked sale were sold again, and those
    # resales went through: the replay must not refuse the parked sale for them.
    resold = Ticket.objects.filter(interface=world.interface, seat__isnull=False,
                                   seat_id__in=_seats_of(waiting)).count()
    assert resold > 10

    enter_missing_code(world)
    retried = integrate(world, page_size=700)
    assert retried.status == Run.Status.OK, retried.messages
    assert retried.counts["parked_retried"] == problems.count() + waiting.count()
    assert retried.counts["resolved_parked"] == retried.counts["parked_retried"]
    assert retried.counts.get("still_parked", 0) == retried.counts.get("still_waiting", 0) == 0
    assert not ParkedOperation.objects.filter(interface=world.interface,
                                              resolved_at=None).exists()
    assert tickets(world.interface) == expected


def _seats_of(parked_lines):
    from catalog.models import Seat

    rows = {(line["row"], line["seat"]) for line in parked_lines.filter(
        line__zone_code="101").values_list("line", flat=True)}
    return [pk for pk, row, number in Seat.objects.values_list("pk", "row", "number")
            if (row, number) in rows]


def test_the_parked_lines_admin_links_each_waiting_line_to_its_head(
        client, django_assert_max_num_queries):
    w = coded_world()
    j = Journal(w)
    w.missing(Kind.TARIFF, "2")
    heads = [j.sale(0, tariff="2") for _ in range(10)]
    followers = [j.duplicate(i) for i in range(10)] + [j.refund(0) for _ in range(10)]
    integrate_lines(w, [heads + followers])
    staff_of(w.interface.institution, client)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("admin:sales_parkedoperation_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 30
    page = response.content.decode()
    head = ParkedOperation.objects.get(operation_id=heads[0].operation_id)
    link = reverse("admin:sales_parkedoperation_change", args=[head.pk])
    assert f'<a href="{link}">{head.operation_id}</a>' in page
    assert page.count(f'href="{link}"') >= 2  # its duplicate and the refund of that duplicate
    waiting = client.get(reverse("admin:sales_parkedoperation_changelist"),
                         {"reason__exact": ParkReason.WAITING_FOR_ORIGINAL})
    assert waiting.context["cl"].result_count == 20


def test_retrying_a_waiting_line_replays_its_whole_chain(simulator):
    w = make_world(simulator, seats=5, skip_codes={(Kind.ZONE, "101")})
    sold, other = w.sell(1), w.sell(2)
    dup = w.state.duplicate(sold["number"])
    w.state.refund(dup["number"])
    assert integrate(w).counts["waiting"] == 2
    waiting = ParkedOperation.objects.filter(reason=ParkReason.WAITING_FOR_ORIGINAL)
    Correspondence.objects.create(interface=w.interface, kind=Kind.ZONE, code="101",
                                  zone=w.setup.zone)
    run = job_run(interface_id=w.interface.pk, job="sales_integration", trigger="retry",
                  params={"parked_operation_ids": [waiting.order_by("position").last().pk]})
    assert run.status == Run.Status.OK, run.messages
    assert (run.counts["parked_retried"], run.counts["sold"], run.counts["duplicated"],
            run.counts["refunded"]) == (3, 1, 1, 1)
    # The other sale's chain was not chosen: still parked.
    assert list(ParkedOperation.objects.filter(resolved_at=None).values_list(
        "ticket_number", flat=True)) == [other["number"]]
    states = dict(Ticket.objects.values_list("number", "state"))
    assert states == {sold["number"]: "invalidated", dup["number"]: "cancelled"}
