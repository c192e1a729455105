"""Pages applied through the pipeline (sales.pipeline: the next page decided while one is
written on the writer's connection) end exactly as pages applied one after the other, each
page committed with what the caller adds to its transaction, whatever clashes."""

import threading

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales import pipeline, services
from sales.engine import write
from sales.models import ParkedOperation, Ticket
from sales.types import ParkReason
from tests.sales import factories as sf
from tests.sales.test_optimistic import History, page_spec, snapshot

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the writer has a connection of its own
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the pipeline exists on PostgreSQL only"),
]


def applied(setup, pages, *, now, pipelined):
    """Apply the pages (each with a marker row written in its transaction) and return the
    results in order, the database's state and the markers committed."""
    marks = []

    def pages_with_marks():
        for index, ops in enumerate(pages):
            yield ops, (lambda index=index: marks.append(index)), index

    if pipelined:
        assert pipeline.pipeline_possible()
        with pipeline.PagePipeline(interface=setup.interface, now=now) as p:
            results = []
            for ops, mark, tag in pages_with_marks():
                results += p.submit(ops, before_commit=mark, tag=tag)
            results += p.finish()
    else:
        results = []
        for ops, _mark, tag in pages_with_marks():
            results.append((tag, services.operations_apply(interface=setup.interface,
                                                           operations=ops, now=now)))
            marks.append(tag)
    counts = [(tag, {k: v for k, v in r.as_counts().items() if v}) for tag, r in results]
    return counts, snapshot(setup), marks


def forget_sales(setup) -> None:
    with connection.cursor() as cursor:
        for table in ("sales_ticket", "sales_order", "sales_integratedoperation",
                      "sales_parkedoperation"):
            cursor.execute(f"DELETE FROM {table} WHERE interface_id = %s",  # noqa: S608
                           [setup.interface.pk])


class Journal(History):
    """History's operations on a larger hall, so that most pages park nothing (only those
    are decided before the page ahead of them is committed)."""

    SEATS, PLACES = 12, 6

    def build(self, specs):
        s = self.setup
        page = []
        for kind, a in specs:
            if kind == "sale":
                op = sf.sale(s, a % self.SEATS)
            elif kind == "place":
                op = sf.place_sale(s, 1, 1 + a % self.PLACES)
            elif kind == "outside":
                op = sf.sale(s, self.SEATS)
            else:
                page += super().build([(kind, a)])
                continue
            self.numbers.append(op.line.ticket_number)
            self.ops.append(op)
            page.append(op)
        return page


# Mostly what a day of Ticketnet sends; now and then a line that parks or clashes.
KINDS = ["sale"] * 5 + ["place"] * 2 + ["dup"] * 3 + ["refund"] * 3 + [
    "again", "taken", "cheap", "outside"]
journal_page = st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 50)),
                        min_size=1, max_size=12)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(pages=st.lists(st.one_of(journal_page, page_spec), min_size=1, max_size=6))
def test_pipelined_pages_end_as_pages_applied_one_after_the_other(pages):
    setup = sf.sales_setup(seats=Journal.SEATS + 1, in_quota=Journal.SEATS,
                           places=Journal.PLACES)
    history = Journal(setup)
    ops = [history.build(specs) for specs in pages]
    now = timezone.now()
    one_by_one = applied(setup, ops, now=now, pipelined=False)
    forget_sales(setup)
    assert applied(setup, ops, now=now, pipelined=True) == one_by_one


@pytest.fixture
def slow_writer(monkeypatch):
    """The writer waits until the main thread has decided the next page: the pages are
    decided on what the page being written leaves, not on what is committed."""
    decided = threading.Event()
    real_write, real_decide = write.page_write, pipeline.page_decide
    calls = []

    def page_write(page, **kw):
        if threading.current_thread().name.startswith("sales-writer"):
            calls.append(page)
            if len(calls) == 1:
                assert decided.wait(10), "the next page was never decided"
        return real_write(page, **kw)

    def page_decide(*args, **kw):
        page_result = real_decide(*args, **kw)
        if kw.get("overlay") is not None:
            decided.set()
        return page_result

    monkeypatch.setattr(services, "page_write", page_write)
    monkeypatch.setattr(pipeline, "page_decide", page_decide)
    return decided


def test_a_ticket_sold_in_the_page_being_written_is_duplicated_and_refunded_in_the_next(
        slow_writer):
    setup = sf.sales_setup(seats=3)
    sold = sf.sale(setup, 0)
    again = sf.sale(setup, 1)
    number, other = sold.line.ticket_number, again.line.ticket_number
    dup = sf.duplicate(number)
    pages = [[sold, again], [dup, sf.refund(other)]]
    results, _state, marks = applied(setup, pages, now=timezone.now(), pipelined=True)
    assert slow_writer.is_set()
    assert [r for _tag, r in results] == [{"sold": 2}, {"duplicated": 1, "refunded": 1}]
    assert marks == [0, 1]
    original = Ticket.objects.get(number=number)
    copy = Ticket.objects.get(number=dup.line.ticket_number)
    assert (original.state, copy.state, copy.original_id, copy.order_id, copy.seat_id) == (
        Ticket.State.INVALIDATED, Ticket.State.VALID, original.pk, original.order_id,
        original.seat_id)
    assert Ticket.objects.get(number=other).state == Ticket.State.CANCELLED


def test_a_page_applied_again_in_the_writer_has_the_next_page_decided_again(slow_writer):
    """The first page sells a seat already held (committed before): its optimistic write
    clashes and it is applied again, the sale parked. The next page, decided while the first
    was expected to sell, refunds that ticket: decided again, the refund waits for the
    parked sale, as it would one page after the other."""
    setup = sf.sales_setup(seats=2)
    services.operations_apply(interface=setup.interface, operations=[sf.sale(setup, 0)])
    clash = sf.sale(setup, 0)
    refund = sf.refund(clash.line.ticket_number)
    pages = [[clash, sf.sale(setup, 1)], [refund]]
    now = timezone.now()
    results, _state, marks = applied(setup, pages, now=now, pipelined=True)
    assert [r for _tag, r in results] == [
        {"sold": 1, "parked": 1, "parked_seat_already_sold": 1}, {"waiting": 1}]
    assert marks == [0, 1]
    assert ParkedOperation.objects.get(operation_id=refund.line.operation_id).reason == (
        ParkReason.WAITING_FOR_ORIGINAL)
    # One page after the other, from the same start: the same.
    forget_sales(setup)
    services.operations_apply(interface=setup.interface, operations=[sf.sale(setup, 0)])
    assert applied(setup, pages, now=now, pipelined=False)[0] == results


def test_a_writer_that_fails_leaves_the_pages_before_committed_and_nothing_of_its_own(
        monkeypatch):
    setup = sf.sales_setup(seats=3)
    real_write = write.page_write
    calls = []

    def failing(page, **kw):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_write(page, **kw)

    monkeypatch.setattr(services, "page_write", failing)
    pages = [[sf.sale(setup, 0)], [sf.sale(setup, 1)], [sf.sale(setup, 2)]]
    marks = []
    with (pytest.raises(RuntimeError, match="went away"),  # noqa: PT012
          pipeline.PagePipeline(interface=setup.interface) as p):
        for index, ops in enumerate(pages):
            p.submit(ops, before_commit=lambda index=index: marks.append(index), tag=index)
        p.finish()
    assert marks == [0]
    assert list(Ticket.objects.filter(interface=setup.interface)
                .values_list("number", flat=True)) == [pages[0][0].line.ticket_number]


def test_inside_a_transaction_pages_are_applied_one_after_the_other():
    from django.db import transaction

    assert pipeline.pipeline_possible()
    with transaction.atomic():
        assert not pipeline.pipeline_possible()


def test_the_interpreter_is_tuned_for_the_runs_and_given_back_by_the_last():
    import gc
    import sys

    before = gc.get_threshold(), sys.getswitchinterval()
    with pipeline.run_tuned(young=12_345, switch_interval=0.002):
        with pipeline.run_tuned(young=99, switch_interval=0.5):  # a second run, same worker
            assert gc.get_threshold()[0] == 12_345
        assert (gc.get_threshold()[0], sys.getswitchinterval()) == (12_345, 0.002)
    assert (gc.get_threshold(), sys.getswitchinterval()) == before
