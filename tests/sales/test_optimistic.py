"""The optimistic path of `operations_apply` (PostgreSQL): whatever the page and whatever the
database already holds, it ends exactly as the path that reads everything first."""

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales import services
from sales.models import IntegratedOperation, Order, ParkedOperation, Ticket
from sales.types import ParkReason
from tests.sales import factories as sf

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the optimistic path exists on PostgreSQL only"),
]

SEATS, PLACES = 3, 3

# One operation: (kind, a); `a` picks the seat, the place, or an earlier ticket/operation
# (modulo what exists, so every draw is usable). "taken" sells under a number already issued.
KINDS = ["sale", "place", "dup", "refund", "again", "taken", "cheap", "outside"]
op_spec = st.tuples(st.sampled_from(KINDS), st.integers(0, 50))
page_spec = st.lists(op_spec, min_size=1, max_size=12)


class History:
    """Turns specs into resolved operations, remembering numbers and operations issued."""

    def __init__(self, setup):
        self.setup = setup
        self.numbers: list[str] = []
        self.ops = []

    def build(self, specs):
        page = []
        for kind, a in specs:
            s = self.setup
            if kind == "sale":
                op = sf.sale(s, a % SEATS)
            elif kind == "place":
                op = sf.place_sale(s, 1, 1 + a % PLACES)
            elif kind in ("dup", "refund") and self.numbers:
                target = self.numbers[a % len(self.numbers)]
                op = sf.duplicate(target) if kind == "dup" else sf.refund(target)
            elif kind == "again" and self.ops:
                op = self.ops[a % len(self.ops)]  # Ticketnet sends an operation twice
            elif kind == "taken" and self.numbers:
                op = sf.sale(s, a % SEATS, number=self.numbers[a % len(self.numbers)])
            elif kind == "cheap":  # parked for its price (policy "error")
                op = sf.sale(s, a % SEATS, price_cents=1)
            elif kind == "outside":  # parked: the seat is not in the quota
                op = sf.sale(s, SEATS)
            else:
                op = sf.refund(f"UNKNOWN{a}")
            if op.line.ticket_number and op.line.type != "REFUND":
                self.numbers.append(op.line.ticket_number)
            self.ops.append(op)
            page.append(op)
        return page


def snapshot(setup):
    interface = setup.interface
    originals = dict(Ticket.objects.values_list("pk", "number"))
    tickets = sorted(
        (t.number, t.state, t.seat_id, t.zone_id, t.series_row, t.series_number,
         originals.get(t.original_id), t.ended_by_operation_id, t.operation_id, t.price_cents,
         t.order_id is not None)
        for t in Ticket.objects.filter(interface=interface)
    )
    parked = sorted(ParkedOperation.objects.filter(interface=interface).values_list(
        "operation_id", "reason", "message", "attempts", "resolved_at"))
    integrated = sorted(IntegratedOperation.objects.filter(interface=interface)
                        .values_list("operation_id", "type"))
    return tickets, parked, integrated, Order.objects.filter(interface=interface).count()


def outcome(setup, page, *, optimistic, now):
    """Apply the page, note the result and the state, and undo it all."""
    sid = transaction.savepoint()
    result = services.operations_apply(interface=setup.interface, operations=page, now=now,
                                       optimistic=optimistic)
    state = snapshot(setup)
    transaction.savepoint_rollback(sid)
    return result.as_counts(), state


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(before=st.lists(page_spec, max_size=3), page=page_spec)
def test_the_optimistic_path_ends_as_the_reading_path(before, page):
    sid = transaction.savepoint()
    try:
        setup = sf.sales_setup(seats=SEATS + 1, in_quota=SEATS, places=PLACES)
        history = History(setup)
        now = timezone.now()
        for specs in before:
            services.operations_apply(interface=setup.interface,
                                      operations=history.build(specs), now=now,
                                      optimistic=False)
        ops = history.build(page)
        assert outcome(setup, ops, optimistic=True, now=now) == outcome(
            setup, ops, optimistic=False, now=now)
    finally:
        transaction.savepoint_rollback(sid)


def test_a_seat_held_by_an_earlier_page_sends_the_page_down_the_reading_path(caplog):
    s = sf.sales_setup(seats=2)
    first = sf.sale(s, 0)
    services.operations_apply(interface=s.interface, operations=[first])
    again, other = sf.sale(s, 0), sf.sale(s, 1)
    with caplog.at_level("INFO", logger="sales.services"):
        result = services.operations_apply(interface=s.interface, operations=[again, other])
    assert "applied again after reading" in caplog.text
    assert (result.sold, result.parked_by_reason) == (1, {ParkReason.SEAT_ALREADY_SOLD: 1})
    # Nothing of the abandoned attempt is left: one order per applied page, ids recorded once.
    assert Order.objects.count() == 2
    assert set(IntegratedOperation.objects.values_list("operation_id", flat=True)) == {
        first.line.operation_id, other.line.operation_id}


def test_a_place_sold_and_refunded_within_the_page_is_checked_too():
    s = sf.sales_setup(seats=1)
    services.operations_apply(interface=s.interface, operations=[sf.sale(s, 0)])
    sold = sf.sale(s, 0)  # the seat is held: this sale must park, and so its refund
    result = services.operations_apply(
        interface=s.interface, operations=[sold, sf.refund(sold.line.ticket_number)])
    # The refund waits for its parked sale (issue 10): no problem of its own.
    assert result.parked_by_reason == {ParkReason.SEAT_ALREADY_SOLD: 1}
    assert result.waiting == 1
    assert Ticket.objects.filter(state=Ticket.State.VALID).count() == 1


def test_the_usual_page_reads_neither_places_nor_new_numbers(django_assert_max_num_queries):
    s = sf.sales_setup(seats=200, places=1000)
    page = [sf.sale(s, i) for i in range(200)] + [sf.place_sale(s, 1, n) for n in range(1, 801)]
    # interface, parked, quota seats, quota places, prices, order, ids, 2 COPY, savepoints
    with django_assert_max_num_queries(14):
        result = services.operations_apply(interface=s.interface, operations=page)
    assert result.sold == 1000
    assert IntegratedOperation.objects.count() == 1000


def test_the_optimistic_path_needs_postgresql_when_asked_for(monkeypatch):
    s = sf.sales_setup(seats=1)
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(ValueError, match="PostgreSQL"):
        services.operations_apply(interface=s.interface, operations=[sf.sale(s, 0)],
                                  optimistic=True)
