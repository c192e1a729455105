"""Parked lines wait in chains and replay in Ticketnet's journal order (issue 10, item 3): the
lines that depend on a parked line wait for it, and a retry once its cause is fixed gives the
tickets a run with the cause fixed from the start would have given."""

import importlib

import pytest
from django.apps import apps
from django.db import connection, transaction

from mappings.models import Kind
from sales import selectors, services
from sales.models import ParkedOperation, Ticket
from sales.resolve import OperationResolver
from sales.types import ParkReason
from tests.sales.journal import Journal, coded_world, integrate, open_parked, retry, tickets

pytestmark = pytest.mark.django_db

WAITING = ParkReason.WAITING_FOR_ORIGINAL


def parked(world):
    return {p.operation_id: p for p in ParkedOperation.objects.filter(interface=world.interface)}


def test_the_duplicates_and_refunds_of_a_parked_sale_wait_for_it_across_pages():
    w = coded_world()
    w.missing(Kind.TARIFF, "2")
    j = Journal(w)
    sale = j.sale(0, tariff="2")
    dup = j.duplicate(0)
    other = j.sale(0, tariff="1")
    refund = j.refund(0)  # the duplicate's ticket (the first active one)
    resolver_pages = [[sale, dup], [other, refund]]
    integrate(w, resolver_pages)
    rows = parked(w)
    head = rows[sale.operation_id]
    assert head.reason == ParkReason.UNKNOWN_CODE and head.waiting_for is None
    for line in (dup, refund):
        row = rows[line.operation_id]
        assert (row.reason, row.waiting_for_id) == (WAITING, head.pk)
        assert sale.operation_id in row.message and "waits for it" in row.message
        assert row.place == head.place != ""
    # Journal positions follow Ticketnet's order, across pages.
    assert [rows[line.operation_id].position for line in (sale, dup, refund)] == sorted(
        rows[line.operation_id].position for line in (sale, dup, refund))
    assert Ticket.objects.get(number=other.ticket_number).state == Ticket.State.VALID


def test_waiting_lines_are_counted_apart_from_the_problems():
    w = coded_world()
    w.missing(Kind.TARIFF, "2")
    j = Journal(w)
    lines = [j.sale(0, tariff="2"), j.duplicate(0), j.duplicate(0), j.refund(0)]
    result = services.operations_apply(
        interface=w.interface, operations=OperationResolver(interface=w.interface).resolve(lines))
    assert (result.parked, result.waiting, result.parked_by_reason) == (
        1, 3, {ParkReason.UNKNOWN_CODE: 1})
    assert result.as_counts()["waiting"] == 3


def test_a_sale_parked_then_refunded_then_its_seat_resold_replays_as_in_the_journal():
    """The issue's example: the first ticket ends refunded and the resale stays valid (on
    main the parked sale was refused "seat already sold", its refund "original unknown")."""
    w = coded_world()
    j = Journal(w)
    first = j.sale(0, tariff="2")
    refund = j.refund(0)
    resale = j.sale(len(j.free) - 1, tariff="1")  # the seat just given back
    assert (resale.performance_code, resale.seat) == (first.performance_code, first.seat)
    pages = [[first], [refund, resale]]
    sid = transaction.savepoint()
    integrate(w, pages)
    expected = tickets(w)
    transaction.savepoint_rollback(sid)

    w.missing(Kind.TARIFF, "2")
    integrate(w, pages)
    assert [reason for _op, reason in open_parked(w)] == [ParkReason.UNKNOWN_CODE, WAITING]
    w.enter(Kind.TARIFF, "2")
    [result] = retry(w)
    assert (result.sold, result.refunded, result.resolved_parked, result.parked) == (1, 1, 2, 0)
    assert open_parked(w) == []
    assert tickets(w) == expected
    states = dict(Ticket.objects.values_list("number", "state"))
    assert states == {first.ticket_number: "cancelled", resale.ticket_number: "valid"}


def test_a_sale_of_a_place_a_parked_sale_holds_waits_for_it():
    """A journal that sells a seat twice: had the first sale been integrated, the second would
    have been refused; so it waits, and is refused once the first goes through."""
    w = coded_world()
    j = Journal(w)
    first = j.sale(0, tariff="2")
    j.free.append(j.active[0][1])  # Ticketnet sells the same seat again
    second = j.sale(len(j.free) - 1, tariff="1")
    w.missing(Kind.TARIFF, "2")
    integrate(w, [[first], [second]])
    assert open_parked(w) == [(first.operation_id, ParkReason.UNKNOWN_CODE),
                              (second.operation_id, WAITING)]
    w.enter(Kind.TARIFF, "2")
    [result] = retry(w)
    assert (result.sold, result.parked, result.waiting) == (1, 1, 0)
    assert open_parked(w) == [(second.operation_id, ParkReason.SEAT_ALREADY_SOLD)]
    assert first.ticket_number in parked(w)[second.operation_id].message


def test_a_sale_refused_for_its_seat_holds_nothing():
    """A sale parked "seat already sold" never held the place in our world: the next sale of
    the place meets the holder itself, as before."""
    w = coded_world()
    j = Journal(w)
    held = j.sale(0)
    again = []
    for _ in range(2):  # Ticketnet sells the held seat twice more
        j.free.insert(0, j.active[0][1])
        again.append(j.sale(0))
    integrate(w, [[held], again])
    assert open_parked(w) == [(line.operation_id, ParkReason.SEAT_ALREADY_SOLD)
                              for line in again]
    assert held.ticket_number in parked(w)[again[1].operation_id].message


def test_a_chain_that_does_not_give_its_place_back_in_the_batch_conflicts_as_usual():
    """A sale passes over its place's later holder only when its chain ends refunded within
    the batch; here the refund is in another batch (a line parked before chains existed), so
    the sale is refused as usual and its refund waits for it."""
    w = coded_world()
    j = Journal(w)
    first = j.sale(0, tariff="2")
    refund = j.refund(0)
    resale = j.sale(len(j.free) - 1, tariff="1")
    w.missing(Kind.TARIFF, "2")
    integrate(w, [[first, refund, resale]])
    ParkedOperation.objects.filter(operation_id=refund.operation_id).update(
        reason=ParkReason.ORIGINAL_UNKNOWN, waiting_for=None)
    w.enter(Kind.TARIFF, "2")
    results = retry(w, batch_lines=1)
    assert [(r.parked, r.waiting) for r in results] == [(1, 0), (0, 1)]
    assert open_parked(w) == [(first.operation_id, ParkReason.SEAT_ALREADY_SOLD),
                              (refund.operation_id, WAITING)]
    assert parked(w)[refund.operation_id].waiting_for == parked(w)[first.operation_id]
    assert Ticket.objects.get().number == resale.ticket_number
    # The two lines in one batch: the chain now gives the place back.
    [result] = retry(w)
    assert (result.sold, result.refunded, result.parked, result.waiting) == (1, 1, 0, 0)
    assert dict(Ticket.objects.values_list("number", "state")) == {
        first.ticket_number: "cancelled", resale.ticket_number: "valid"}


def test_a_retry_of_some_lines_replays_their_whole_chains():
    w = coded_world()
    j = Journal(w)
    w.missing(Kind.TARIFF, "2")
    a, b = j.sale(0, tariff="2"), j.sale(0, tariff="2")
    dup_b = j.duplicate(1)
    integrate(w, [[a, b, dup_b]])
    pk = {line: row.pk for line, row in ((line, parked(w)[line.operation_id])
                                          for line in (a, b, dup_b))}
    batches = selectors.parked_chain_batches(interface=w.interface, ids=[pk[dup_b]], size=100)
    assert batches == [[pk[b], pk[dup_b]]]
    # Whole chains, never split, in their heads' order.
    assert selectors.parked_chain_batches(interface=w.interface, size=1) == [
        [pk[a]], [pk[b], pk[dup_b]]]
    assert selectors.parked_chain_batches(interface=w.interface, size=2) == [
        [pk[a], pk[b], pk[dup_b]]]
    w.enter(Kind.TARIFF, "2")
    [result] = retry(w, ids=[pk[dup_b]])
    assert (result.sold, result.duplicated, result.resolved_parked) == (1, 1, 2)
    assert open_parked(w) == [(a.operation_id, ParkReason.UNKNOWN_CODE)]


def test_a_batch_of_5000_parked_lines_replays_in_a_fixed_number_of_queries(
        django_assert_max_num_queries):
    w = coded_world(seats=2, places=2500)
    j = Journal(w)
    w.missing(Kind.TARIFF, "2")
    sales = [j.sale(i * 7, tariff="2") for i in range(4000)]
    integrate(w, [sales])
    follow = [j.duplicate(i * 3) for i in range(500)] + [j.refund(i * 5) for i in range(500)]
    resales = [j.sale(len(j.free) - 1, tariff="1") for _ in range(300)]
    # A page whose lines wait for parked lines of an earlier page: a few queries too.
    limit = 22 if connection.vendor == "postgresql" else 22 + 2 * 1300 // 40
    with django_assert_max_num_queries(limit):
        integrate(w, [follow + resales])
    assert len(open_parked(w)) == 5000
    w.enter(Kind.TARIFF, "2")
    # codes, chains, lines, resolver, the page's reads, order, ids, parked lines, savepoints
    # (COPY is not counted). SQLite: inserts by batches of about 40 rows, never per line.
    limit = 25 if connection.vendor == "postgresql" else 25 + 3 * 5000 // 40
    with django_assert_max_num_queries(limit):
        [result] = retry(w)
    assert (result.sold, result.duplicated, result.refunded) == (4000, 500, 500)
    assert (result.resolved_parked, result.parked, result.waiting) == (5000, 0, 0)
    assert open_parked(w) == []


def test_the_migration_numbers_existing_lines_and_links_their_chains():
    w = coded_world()
    j = Journal(w)
    w.missing(Kind.TARIFF, "2")
    sale, dup, unknown = j.sale(0, tariff="2"), j.duplicate(0), j.refund(0)
    integrate(w, [[sale, dup, unknown]])
    # As main left them: no position, the duplicate and the refund "original unknown".
    ParkedOperation.objects.update(position=0, place="", waiting_for=None,
                                   reason=ParkReason.ORIGINAL_UNKNOWN)
    ParkedOperation.objects.filter(operation_id=sale.operation_id).update(
        reason=ParkReason.UNKNOWN_CODE)
    migration = importlib.import_module("sales.migrations.0006_parked_chains")
    migration.number_and_link(apps, None)
    rows = parked(w)
    head = rows[sale.operation_id]
    assert [rows[line.operation_id].position for line in (sale, dup, unknown)] == [1, 2, 3]
    assert head.place and head.reason == ParkReason.UNKNOWN_CODE
    for line in (dup, unknown):
        assert (rows[line.operation_id].reason, rows[line.operation_id].waiting_for_id,
                rows[line.operation_id].place) == (WAITING, head.pk, head.place)
