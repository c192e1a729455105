import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from channels.models import ExternalSalesInterface
from sales import selectors, services
from sales.models import IntegratedOperation, Order, ParkedOperation, Ticket
from sales.types import OperationLine, OperationType, ParkReason, Problem, ResolvedOperation
from tests import factories as f
from tests.sales import factories as sf
from tests.sales import typed

pytestmark = pytest.mark.django_db
Policy = ExternalSalesInterface.PricePolicy


def apply(setup, ops):
    return services.operations_apply(interface=setup.interface, operations=ops)


def parked(setup):
    return {p.operation_id: p for p in ParkedOperation.objects.filter(interface=setup.interface)}


def test_sell_in_bulk_books_tickets_on_the_technical_contact_in_one_order():
    s = sf.sales_setup(seats=10)
    ops = [sf.sale(s, i) for i in range(10)] + [sf.place_sale(s, 1, n) for n in range(1, 6)]
    result = typed.tickets_sell(interface=s.interface, sales=ops)
    assert result.sold == 15 and result.parked == 0
    tickets = Ticket.objects.filter(interface=s.interface)
    assert tickets.count() == 15
    assert set(tickets.values_list("state", flat=True)) == {Ticket.State.VALID}
    order = Order.objects.get()
    assert order.contact == s.interface.contact
    assert order.point_of_sale == s.interface.point_of_sale
    assert order.payment_mode == Order.PaymentMode.PENDING_ACCOUNT
    assert set(tickets.values_list("order", flat=True)) == {order.pk}
    t = tickets.get(number=ops[0].line.ticket_number)
    assert (t.seat, t.price_cents, t.reseller_price_cents) == (s.seats[0], 2500, 2500)
    assert (t.buyer_last_name, t.buyer_city, t.operation_id) == (
        "Dupont", "Lyon", ops[0].line.operation_id)
    place = tickets.get(number=ops[10].line.ticket_number)
    assert (place.zone, place.series_row, place.series_number, place.seat) == (
        s.free_zone, 1, 1, None)
    assert IntegratedOperation.objects.filter(interface=s.interface).count() == 15


def test_integrating_the_same_operations_twice_changes_nothing():
    s = sf.sales_setup(seats=5)
    first = [sf.sale(s, i) for i in range(5)]
    page = first + [sf.duplicate(first[0].line.ticket_number), sf.refund(first[1].line.ticket_number)]
    r1 = apply(s, page)
    assert (r1.sold, r1.duplicated, r1.refunded) == (5, 1, 1)
    before = list(Ticket.objects.order_by("pk").values_list("pk", "number", "state"))
    r2 = apply(s, page)
    assert (r2.applied, r2.already_integrated, r2.parked) == (0, 7, 0)
    assert list(Ticket.objects.order_by("pk").values_list("pk", "number", "state")) == before
    assert Order.objects.count() == 1


def test_duplicate_invalidates_the_original_and_issues_a_valid_ticket_for_the_seat():
    s = sf.sales_setup(seats=2)
    sold = sf.sale(s, 0)
    apply(s, [sold])
    dup = sf.duplicate(sold.line.ticket_number)
    result = typed.tickets_duplicate(interface=s.interface, duplicates=[dup])
    assert result.duplicated == 1
    original = Ticket.objects.get(number=sold.line.ticket_number)
    new = Ticket.objects.get(number=dup.line.ticket_number)
    assert original.state == Ticket.State.INVALIDATED
    assert original.ended_by_operation_id == dup.line.operation_id
    assert new.state == Ticket.State.VALID
    assert (new.seat, new.original, new.order, new.price_cents) == (
        original.seat, original, original.order, original.price_cents)


def test_sale_duplicate_and_refund_in_one_page():
    s = sf.sales_setup(seats=2)
    sold = sf.sale(s, 0)
    dup = sf.duplicate(sold.line.ticket_number)
    dup2 = sf.duplicate(dup.line.ticket_number)
    ref = sf.refund(dup2.line.ticket_number)
    resold = sf.sale(s, 0)
    result = apply(s, [sold, dup, dup2, ref, resold])
    assert (result.sold, result.duplicated, result.refunded, result.parked) == (2, 2, 1, 0)
    states = dict(Ticket.objects.values_list("number", "state"))
    assert states == {
        sold.line.ticket_number: "invalidated",
        dup.line.ticket_number: "invalidated",
        dup2.line.ticket_number: "cancelled",
        resold.line.ticket_number: "valid",
    }
    chain = Ticket.objects.get(number=dup2.line.ticket_number)
    assert chain.original.number == dup.line.ticket_number
    assert chain.original.original.number == sold.line.ticket_number


def test_refund_puts_the_seat_and_the_place_back_in_the_quota():
    s = sf.sales_setup(seats=3, places=10)
    seat_sale, place_sale = sf.sale(s, 0), sf.place_sale(s, 1, 7)
    apply(s, [seat_sale, place_sale])
    left = selectors.quota_left(interface=s.interface, performance_ids=[s.performance.pk])
    assert left[s.performance.pk].seats == 2
    assert left[s.performance.pk].places == {s.free_zone.pk: 9}
    result = typed.tickets_refund(interface=s.interface, refunds=[
        sf.refund(seat_sale.line.ticket_number), sf.refund(place_sale.line.ticket_number)])
    assert result.refunded == 2
    left = selectors.quota_left(interface=s.interface, performance_ids=[s.performance.pk])
    assert left[s.performance.pk].seats == 3
    assert left[s.performance.pk].places == {s.free_zone.pk: 10}
    assert set(Ticket.objects.values_list("state", flat=True)) == {"cancelled"}
    # The seat can be sold again.
    assert apply(s, [sf.sale(s, 0)]).sold == 1


@pytest.mark.parametrize(
    ("reason", "build"),
    [
        (ParkReason.UNKNOWN_CODE, lambda s: ResolvedOperation(
            line=sf.line(), problem=Problem(ParkReason.UNKNOWN_CODE, {"kind": "tariff", "code": "15"}))),
        (ParkReason.INVALID_LINE, lambda s: ResolvedOperation(
            line=sf.line(), performance=s.performance, category=s.category, tariff=s.tariff)),
        (ParkReason.NOT_IN_QUOTA, lambda s: sf.sale(s, 3)),  # seat 4 is outside the quota
        (ParkReason.NOT_IN_QUOTA, lambda s: sf.place_sale(s, 1, 11)),  # 10 places allocated
        (ParkReason.NOT_IN_QUOTA, lambda s: sf.place_sale(s, 1, 1001)),  # rows hold 1000
        (ParkReason.PRICE_DIFFERENCE, lambda s: sf.sale(s, 0, price_cents=2000)),
        (ParkReason.ORIGINAL_UNKNOWN, lambda s: sf.duplicate("NOPE")),
        (ParkReason.ORIGINAL_UNKNOWN, lambda s: sf.refund("NOPE")),
    ],
)
def test_lines_that_cannot_be_applied_are_parked_with_their_reason(reason, build):
    s = sf.sales_setup(seats=4, in_quota=3, places=10,
                       institution=f.InstitutionFactory(language="en"))
    op = build(s)
    result = apply(s, [op])
    assert (result.applied, result.parked, result.parked_by_reason) == (0, 1, {reason: 1})
    p = parked(s)[op.line.operation_id]
    assert p.reason == reason
    assert p.line == op.line.to_json()
    assert p.attempts == 1 and p.resolved_at is None
    assert "then retry" in p.message or "ask Ticketnet" in p.message
    assert not Ticket.objects.exists()
    assert not IntegratedOperation.objects.exists()


def test_closed_performance_parks_the_sale():
    s = sf.sales_setup(seats=1)
    s.performance.closed = True
    s.performance.save()
    op = sf.sale(s, 0)
    assert apply(s, [op]).parked_by_reason == {ParkReason.PERFORMANCE_CLOSED: 1}


def test_seat_already_sold_and_ticket_number_taken():
    s = sf.sales_setup(seats=2)
    first = sf.sale(s, 0)
    again = sf.sale(s, 0)
    same_number = sf.sale(s, 1, number=first.line.ticket_number)
    result = apply(s, [first, again, same_number])
    assert result.sold == 1
    assert result.parked_by_reason == {ParkReason.SEAT_ALREADY_SOLD: 1,
                                       ParkReason.TICKET_NUMBER_TAKEN: 1}
    assert first.line.ticket_number in parked(s)[again.line.operation_id].message


def test_original_not_valid_when_refunded_twice_or_duplicated_after_refund():
    s = sf.sales_setup(seats=1)
    sold = sf.sale(s, 0)
    apply(s, [sold, sf.refund(sold.line.ticket_number)])
    result = apply(s, [sf.refund(sold.line.ticket_number), sf.duplicate(sold.line.ticket_number)])
    assert result.parked_by_reason == {ParkReason.ORIGINAL_NOT_VALID: 2}


def test_price_unknown_is_parked_unless_the_reseller_price_is_used():
    s = sf.sales_setup(seats=2, policy=Policy.IGNORE)
    s.event.prices.all().delete()
    assert apply(s, [sf.sale(s, 0)]).parked_by_reason == {ParkReason.PRICE_UNKNOWN: 1}
    s.interface.price_policy = Policy.USE
    s.interface.save()
    assert apply(s, [sf.sale(s, 1, price_cents=1999)]).sold == 1


@pytest.mark.parametrize(
    ("policy", "sold", "price", "reseller"),
    [
        (Policy.ERROR, 0, None, None),
        (Policy.IGNORE, 1, 2500, 1800),
        (Policy.USE, 1, 1800, 1800),
    ],
)
def test_price_policies(policy, sold, price, reseller):
    s = sf.sales_setup(seats=1, policy=policy)
    op = sf.sale(s, 0, price_cents=1800)
    result = apply(s, [op])
    assert result.sold == sold
    if sold:
        t = Ticket.objects.get()
        assert (t.price_cents, t.reseller_price_cents) == (price, reseller)
    else:
        assert result.parked_by_reason == {ParkReason.PRICE_DIFFERENCE: 1}
        assert "18.00 EUR" in parked(s)[op.line.operation_id].message


def test_a_performance_price_overrides_the_event_price():
    s = sf.sales_setup(seats=1)
    f.PriceFactory(event=s.event, performance=s.performance, category=s.category,
                   tariff=s.tariff, amount_cents=3000)
    assert apply(s, [sf.sale(s, 0, price_cents=3000)]).sold == 1


def test_a_parked_line_goes_through_once_its_cause_is_fixed():
    s = sf.sales_setup(seats=1, policy=Policy.ERROR)
    op = sf.sale(s, 0, price_cents=2000)
    apply(s, [op])
    apply(s, [op])  # retried before the fix: still parked, one more attempt
    p = ParkedOperation.objects.get()
    assert (p.attempts, p.resolved_at) == (2, None)
    s.event.prices.update(amount_cents=2000)
    result = apply(s, [op])
    assert (result.sold, result.resolved_parked) == (1, 1)
    p.refresh_from_db()
    assert p.resolved_at is not None and p.attempts == 3
    assert selectors.parked_operations(interface=s.interface).count() == 0
    # And the line handed back by the selector rebuilds the same operation.
    assert ParkedOperation.objects.filter(resolved_at__isnull=False).count() == 1


def test_parked_lines_rebuild_their_operation_line():
    s = sf.sales_setup(seats=1)
    op = sf.sale(s, 0, price_cents=1)
    apply(s, [op])
    [(p, rebuilt)] = selectors.parked_lines(interface=s.interface)
    assert rebuilt == op.line


def test_park_message_in_the_institution_language():
    s = sf.sales_setup(seats=1, policy=Policy.ERROR, institution=f.InstitutionFactory(language="fr"))
    op = sf.sale(s, 0, price_cents=1)
    with translation.override("en"):
        apply(s, [op])
    assert "Ticketnet a vendu" in ParkedOperation.objects.get().message


def test_one_valid_ticket_per_seat_and_per_place_in_the_database():
    s = sf.sales_setup(seats=1)
    a, b = sf.sale(s, 0), sf.place_sale(s, 2, 5)
    apply(s, [a, b])
    seat_ticket = Ticket.objects.get(number=a.line.ticket_number)
    place_ticket = Ticket.objects.get(number=b.line.ticket_number)
    for t in (seat_ticket, place_ticket):
        clone = Ticket.objects.get(pk=t.pk)
        clone.pk = None
        clone.number = t.number + "X"
        with pytest.raises(IntegrityError), transaction.atomic():
            clone.save()
        clone.state = Ticket.State.INVALIDATED
        clone.pk = None
        clone.save()  # an invalidated ticket may share the seat


def test_a_ticket_is_either_on_a_seat_or_on_a_place():
    s = sf.sales_setup(seats=1)
    apply(s, [sf.sale(s, 0)])
    t = Ticket.objects.get()
    t.pk, t.number, t.state = None, "OTHER", Ticket.State.CANCELLED
    t.zone, t.series_row, t.series_number = s.free_zone, 1, 1
    with pytest.raises(IntegrityError), transaction.atomic():
        t.save()


def test_only_one_kind_per_typed_service():
    s = sf.sales_setup(seats=1)
    with pytest.raises(ValueError):
        typed.tickets_refund(interface=s.interface, refunds=[sf.sale(s, 0)])


def test_a_page_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    s = sf.sales_setup(seats=300, places=3000)
    sales = [sf.sale(s, i) for i in range(300)] + [
        sf.place_sale(s, 1 + n // 1000, 1 + n % 1000) for n in range(1200)]
    dups = [sf.duplicate(op.line.ticket_number) for op in sales[:100]]
    refunds = [sf.refund(op.line.ticket_number) for op in sales[100:200]]
    bad = [sf.sale(s, 0, price_cents=1) for _ in range(20)]
    page = sales + dups + refunds + bad
    # PostgreSQL: COPY whatever the size. SQLite caps a multi-row INSERT at 999 variables,
    # about 40 tickets, so there the writes grow by batches (never per operation).
    limit = 25 if connection.vendor == "postgresql" else 25 + 1720 // 40
    with django_assert_max_num_queries(limit):
        result = services.operations_apply(interface=s.interface, operations=page, batch_size=500)
    assert (result.sold, result.duplicated, result.refunded, result.parked) == (1500, 100, 100, 20)
    assert Ticket.objects.filter(state="valid").count() == 1400


def test_a_5000_operation_page():
    s = sf.sales_setup(seats=10, places=5000)
    page = [sf.place_sale(s, 1 + n // 1000, 1 + n % 1000) for n in range(5000)]
    assert apply(s, page).sold == 5000
    left = selectors.quota_left(interface=s.interface, performance_ids=[s.performance.pk])
    assert left[s.performance.pk].places == {s.free_zone.pk: 0}


def test_operation_line_from_a_padded_csv_row():
    row = {"operation_id": 7, "type": "sale", "ticket_number": "T1", "row": "0003",
           "seat": "0012", "price_cents": "2500", "time": "2026-01-01T20:30:00+01:00",
           "extra": "ignored"}
    line = OperationLine.from_mapping(row)
    assert (line.operation_id, line.type, line.row, line.seat) == ("7", OperationType.SALE, 3, 12)
    assert line.time.utcoffset().total_seconds() == 3600


def test_quota_left_costs_two_queries_whatever_the_performances(django_assert_num_queries):
    setups = [sf.sales_setup(seats=5, places=100)]
    s = setups[0]
    apply(s, [sf.sale(s, 0), sf.sale(s, 1), sf.place_sale(s, 1, 1)])
    other = f.PerformanceFactory(event=s.event, configuration=s.performance.configuration)
    from catalog.models import SeatAllocation, ZoneAllocation
    SeatAllocation.objects.bulk_create(
        SeatAllocation(performance=other, seat=seat, quota=s.interface.external_quota)
        for seat in s.seats)
    ZoneAllocation.objects.create(performance=other, zone=s.free_zone,
                                  quota=s.interface.external_quota, places=40)
    with django_assert_num_queries(2):
        left = selectors.quota_left(interface=s.interface,
                                    performance_ids=[s.performance.pk, other.pk])
    assert (left[s.performance.pk].seats, left[s.performance.pk].places) == (3, {s.free_zone.pk: 99})
    assert (left[other.pk].seats, left[other.pk].places) == (5, {s.free_zone.pk: 40})
    seats = selectors.quota_seats_left(interface=s.interface, performance_ids=[s.performance.pk])
    assert sorted(a.seat.number for a in seats) == [3, 4, 5]
