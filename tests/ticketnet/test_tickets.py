"""listTickets: Ticketnet's tickets of a manifestation or a performance, through the real
client, over HTTP to the simulator."""

from datetime import UTC, datetime, timedelta

import pytest

from ticketnet_gateway import types as t
from ticketnet_gateway.errors import ContractError, TicketnetRejected
from ticketnet_gateway.listing import parse_tickets_stream

from .conftest import (
    MANIFESTATION,
    PARIS,
    PERFORMANCE,
    make_client,
    make_manifestation,
    numbered_seats,
)
from .test_listing_parser import element, envelope, response

SECOND_PERFORMANCE = "1709062030"


def sell(state, *, row=1, seat=1, performance=PERFORMANCE, **buyer):
    return state.sell(manifestation=MANIFESTATION, performance=performance, zone="101", row=row,
                      seat=seat, category="1", tariff="2", price_cents=3500, **buyer)


def rejection(call, **kwargs) -> TicketnetRejected:
    with pytest.raises(TicketnetRejected) as error:
        call(**kwargs)
    return error.value


def test_a_sale_a_duplicate_and_a_refund_in_their_states(client, exported):
    state = exported.state
    sold = sell(state, row=2, seat=7)
    reprint = state.duplicate(sold["number"])
    refunded = sell(state, row=3, seat=1)
    state.refund(refunded["number"])
    kept = sell(state, row=3, seat=2)
    times = {(op.type, op.ticket_number): op.time
             for op in client.list_operations(cursor=None, page_size=10).operations}

    page = client.list_tickets(manifestation_code=MANIFESTATION)

    assert page.has_more is False
    assert [ticket.ticket_number for ticket in page.tickets] == sorted(
        [sold["number"], reprint["number"], refunded["number"], kept["number"]])
    tickets = {ticket.ticket_number: ticket for ticket in page.tickets}
    replaced = tickets[sold["number"]]
    assert replaced == t.TicketnetTicket(
        ticket_number=sold["number"], state=t.TicketState.REPLACED, original_ticket_number=None,
        manifestation_code=MANIFESTATION, performance_code=PERFORMANCE, zone_code="101", row=2,
        seat=7, category_code="1", tariff_code="2", price_cents=3500, currency="EUR",
        issued_at=times[("SALE", sold["number"])],
        ended_at=times[("DUPLICATE", reprint["number"])])
    duplicate = tickets[reprint["number"]]
    assert (duplicate.state, duplicate.original_ticket_number) == ("ACTIVE", sold["number"])
    assert duplicate.issued_at == times[("DUPLICATE", reprint["number"])]
    assert duplicate.ended_at is None and (duplicate.row, duplicate.seat) == (2, 7)
    cancelled = tickets[refunded["number"]]
    assert (cancelled.state, cancelled.original_ticket_number) == ("REFUNDED", None)
    assert cancelled.issued_at == times[("SALE", refunded["number"])]
    assert cancelled.ended_at == times[("REFUND", refunded["number"])]
    assert tickets[kept["number"]].state == t.TicketState.ACTIVE
    assert tickets[kept["number"]].issued_at.utcoffset() is not None


def test_paging_by_ticket_number_has_no_gap_nor_repeat(client, exported):
    exported.state.generate(count=700, seed=5)
    expected = [number for (number,) in exported.state.store.db().execute(
        "SELECT number FROM ticket ORDER BY number")]
    first = client.list_tickets(manifestation_code=MANIFESTATION, page_size=300)
    assert len(first.tickets) == 300 and first.has_more
    listed = list(client.iter_tickets(manifestation_code=MANIFESTATION, page_size=300))
    assert [ticket.ticket_number for ticket in listed] == expected
    assert {ticket.state for ticket in listed} == set(t.TicketState)
    # A new ticket (every seat is sold: a reprint) comes after the last page's cursor.
    last = client.list_tickets(manifestation_code=MANIFESTATION, page_size=5000)
    assert not last.has_more
    active = next(ticket for ticket in listed if ticket.state == "ACTIVE")
    new = exported.state.duplicate(active.ticket_number)
    tail = client.list_tickets(manifestation_code=MANIFESTATION, cursor=last.next_cursor)
    assert [ticket.ticket_number for ticket in tail.tickets] == [new["number"]]
    empty = client.list_tickets(manifestation_code=MANIFESTATION, cursor=tail.next_cursor)
    assert empty.tickets == () and empty.next_cursor == tail.next_cursor


def test_a_performance_filter_lists_that_performance_only(client, simulator):
    start = datetime(2017, 9, 5, 20, 30, tzinfo=PARIS)
    client.create_manifestation(make_manifestation(performances=(
        t.PerformanceSpec(PERFORMANCE, start),
        t.PerformanceSpec(SECOND_PERFORMANCE, start + timedelta(days=1)))))
    for performance in (PERFORMANCE, SECOND_PERFORMANCE):
        client.export_allotment(manifestation_code=MANIFESTATION, performance_code=performance,
                                seats=numbered_seats())
    first = [sell(simulator.state, seat=n)["number"] for n in (1, 2)]
    second = [sell(simulator.state, seat=n, performance=SECOND_PERFORMANCE)["number"]
              for n in (1, 2, 3)]

    def listed(**kwargs):
        return [ticket.ticket_number for ticket in client.iter_tickets(
            manifestation_code=MANIFESTATION, page_size=2, **kwargs)]

    assert listed(performance_code=SECOND_PERFORMANCE) == second
    assert listed(performance_code=PERFORMANCE) == first
    assert listed() == sorted(first + second)
    # A cursor lists the tickets of the listing that issued it only.
    page = client.list_tickets(manifestation_code=MANIFESTATION,
                               performance_code=PERFORMANCE, page_size=1)
    assert rejection(client.list_tickets, manifestation_code=MANIFESTATION,
                     performance_code=SECOND_PERFORMANCE, cursor=page.next_cursor
                     ).code == "INVALID_CURSOR"


def test_a_cursor_of_one_listing_is_refused_by_the_other(client, exported):
    sell(exported.state)
    operations = client.list_operations(cursor=None, page_size=10)
    tickets = client.list_tickets(manifestation_code=MANIFESTATION)
    refused = rejection(client.list_tickets, manifestation_code=MANIFESTATION,
                        cursor=operations.next_cursor)
    assert refused.code == "INVALID_CURSOR" and "listOperations" in refused.message
    refused = rejection(client.list_operations, cursor=tickets.next_cursor)
    assert refused.code == "INVALID_CURSOR" and "listTickets" in refused.message
    assert rejection(client.list_tickets, manifestation_code=MANIFESTATION,
                     cursor="bm90LWEtY3Vyc29y").code == "INVALID_CURSOR"


def test_refusals(simulator, client, exported):
    assert rejection(client.list_tickets, manifestation_code="999").code == (
        "UNKNOWN_MANIFESTATION")
    assert rejection(client.list_tickets, manifestation_code=MANIFESTATION,
                     performance_code="1801012030").code == "UNKNOWN_PERFORMANCE"
    assert rejection(client.list_tickets, manifestation_code="0170").code == "LEADING_ZERO"
    for size in (0, 5001):
        assert rejection(client.list_tickets, manifestation_code=MANIFESTATION,
                         page_size=size).code == "INVALID_PAGE_SIZE"
    intruder = make_client(simulator, password="wrong")
    assert rejection(intruder.list_tickets, manifestation_code=MANIFESTATION).code == (
        "AUTHENTICATION_FAILED")


def test_listing_tickets_is_retried(simulator, client, exported):
    sold = sell(exported.state)
    simulator.state.fault_set(kind="http_500", operation="listTickets", times=2)
    page = client.list_tickets(manifestation_code=MANIFESTATION)
    assert [ticket.ticket_number for ticket in page.tickets] == [sold["number"]]


def test_iter_tickets_refuses_more_that_never_comes(client, monkeypatch):
    stuck = t.TicketsPage(tickets=(), next_cursor="", has_more=True)
    monkeypatch.setattr(client, "list_tickets", lambda **kwargs: stuck)
    with pytest.raises(ContractError, match="more tickets but sends none"):
        list(client.iter_tickets(manifestation_code=MANIFESTATION))


# -- the parser on hand-written responses -----------------------------------------------------

TICKET = {
    "ticketNumber": "AA05EC0000000002", "state": "REPLACED",
    "originalTicketNumber": "AA05EC0000000001", "manifestationCode": "1701",
    "performanceCode": "1709052030", "zoneCode": "101", "row": "0012", "seat": "007",
    "categoryCode": "1", "tariffCode": "2", "priceCents": "3500", "currency": "EUR",
    "issuedAt": "2017-09-05T20:31:02.250+02:00", "endedAt": "2017-09-05T18:40:00Z",
}


def tickets_response(*tickets, tail="<tn:nextCursor>c</tn:nextCursor><tn:hasMore>false"
                     "</tn:hasMore>"):
    body = "".join("<tn:ticket>" + "".join(element(name, text) for name, text in ticket.items()
                                           if text is not None) + "</tn:ticket>"
                   for ticket in tickets)
    return envelope(f"<tn:ListTicketsResponse><tn:tickets>{body}</tn:tickets>{tail}"
                    "</tn:ListTicketsResponse>")


def test_the_parser_reads_padded_seats_and_both_times():
    page = parse_tickets_stream([tickets_response(TICKET, {**TICKET, "originalTicketNumber":
                                                           None, "endedAt": None})])
    replaced, active = page.tickets
    assert (replaced.row, replaced.seat, replaced.state) == (12, 7, t.TicketState.REPLACED)
    assert replaced.issued_at == datetime(2017, 9, 5, 18, 31, 2, 250000, tzinfo=UTC)
    assert replaced.ended_at == datetime(2017, 9, 5, 18, 40, tzinfo=UTC)
    assert (active.original_ticket_number, active.ended_at) == (None, None)
    assert (page.next_cursor, page.has_more) == ("c", False)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"state": "LOST"}, "unknown state"),
    ({"row": "12a"}, "row"),
    ({"issuedAt": "2017-09-05T20:31:02"}, "time zone"),
    ({"priceCents": "35.00"}, "AA05EC0000000002"),
    ({"currency": None}, "misses currency"),
])
def test_the_parser_refuses_a_ticket_off_the_contract(overrides, message):
    with pytest.raises(ContractError, match=message):
        parse_tickets_stream([tickets_response({**TICKET, **overrides})])


def test_the_parser_refuses_unknown_or_repeated_elements_and_other_responses():
    with pytest.raises(ContractError, match="'colour'"):
        parse_tickets_stream([tickets_response({**TICKET, "colour": "blue"})])
    with pytest.raises(ContractError, match="'row'"):
        parse_tickets_stream([tickets_response({**TICKET, "endedAt": None})
                              .replace(b"</tn:ticket>", b"<tn:row>1</tn:row></tn:ticket>")])
    with pytest.raises(ContractError, match="not a listTickets response"):
        parse_tickets_stream([response()])
