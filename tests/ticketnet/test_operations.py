"""Every operation of the contract, through the real client, over HTTP to the simulator."""

from datetime import datetime

import pytest

from ticketnet_gateway import types as t
from ticketnet_gateway.client import TicketnetClient, clear_clients, get_client
from ticketnet_gateway.errors import TicketnetRejected
from ticketnet_simulator.rules import SimulatorError

from .conftest import MANIFESTATION, PERFORMANCE, make_client, make_manifestation, numbered_seats


def test_ping(client):
    result = client.ping()
    assert result.version.startswith("ticketnet-simulator")
    assert isinstance(result.server_time, datetime) and result.server_time.tzinfo


def test_create_manifestation_counts_numbered_seats_and_the_series(client, simulator):
    created = client.create_manifestation(make_manifestation())
    assert created == t.ManifestationCreated(MANIFESTATION, 1, 30 + 2500)
    shown = simulator.state.show()["manifestations"][0]
    assert shown["code"] == MANIFESTATION and shown["institution_code"] == "505"
    assert {z["code"]: z["capacity"] for z in shown["zones"]} == {"101": None, "102": 2500}


def test_a_manifestation_is_created_once_then_ticketnet_must_be_called(client):
    client.create_manifestation(make_manifestation())
    with pytest.raises(TicketnetRejected) as error:
        client.create_manifestation(make_manifestation(name="Corrected name"))
    assert error.value.code == "MANIFESTATION_EXISTS"
    assert "call Ticketnet" in error.value.message


def test_export_allotment_in_batches_replaces_the_previous_one(client, simulator):
    client.create_manifestation(make_manifestation())
    result = client.export_allotment(manifestation_code=MANIFESTATION,
                                     performance_code=PERFORMANCE, seats=numbered_seats(),
                                     batch_size=7)
    assert result.allotted_seat_count == 30 and result.batch_seat_count == 30 % 7
    again = client.export_allotment(manifestation_code=MANIFESTATION,
                                    performance_code=PERFORMANCE, seats=numbered_seats()[:5],
                                    batch_size=2)
    assert again.allotted_seat_count == 5
    assert again.export_id != result.export_id
    cleared = client.export_allotment(manifestation_code=MANIFESTATION,
                                      performance_code=PERFORMANCE, seats=[])
    assert cleared.allotted_seat_count == 0


def test_an_append_batch_must_belong_to_the_current_export(client):
    client.create_manifestation(make_manifestation())
    first = client.set_allotment(manifestation_code=MANIFESTATION, performance_code=PERFORMANCE,
                                 seats=numbered_seats()[:3], export_id="A", replace=True)
    assert first.allotted_seat_count == 3
    appended = client.set_allotment(manifestation_code=MANIFESTATION,
                                    performance_code=PERFORMANCE, seats=numbered_seats()[3:6],
                                    export_id="A", replace=False)
    assert appended.allotted_seat_count == 6
    with pytest.raises(TicketnetRejected) as error:
        client.set_allotment(manifestation_code=MANIFESTATION, performance_code=PERFORMANCE,
                             seats=numbered_seats()[6:9], export_id="B", replace=False)
    assert error.value.code == "ALLOTMENT_EXPORT_UNKNOWN"
    with pytest.raises(TicketnetRejected) as error:
        client.set_allotment(manifestation_code=MANIFESTATION, performance_code=PERFORMANCE,
                             seats=numbered_seats()[:1], export_id="A", replace=False)
    assert error.value.code == "SEAT_ALREADY_ALLOTTED"


def test_series_seats_can_be_allotted_and_a_zone_quota_set(client, simulator):
    # Before issue 10 a count of 1200 was taken for 2 places sent, and place 2-17 (never sent)
    # was sold from it: a count now counts places of those sent, and only they are sold.
    client.create_manifestation(make_manifestation())
    series = [t.AllottedSeat("102", 3, 500, "2"), t.AllottedSeat("102", 1, 1000, "2")]
    result = client.export_allotment(manifestation_code=MANIFESTATION,
                                     performance_code=PERFORMANCE, seats=series)
    assert result.allotted_seat_count == 2
    with pytest.raises(TicketnetRejected) as error:
        client.set_zone_quota(manifestation_code=MANIFESTATION, performance_code=PERFORMANCE,
                              zone_code="102", places_available=1200)
    assert error.value.code == "INVALID_QUOTA" and "send 0 to 2" in error.value.message
    quota = client.set_zone_quota(manifestation_code=MANIFESTATION,
                                  performance_code=PERFORMANCE, zone_code="102",
                                  places_available=1)
    assert quota == t.ZoneQuotaResult(MANIFESTATION, PERFORMANCE, "102", 1)
    place = {"manifestation": MANIFESTATION, "performance": PERFORMANCE, "zone": "102",
             "category": "2", "tariff": "1", "price_cents": 2000}
    with pytest.raises(SimulatorError) as refused:
        simulator.state.sell(**place, row=2, seat=17)
    assert refused.value.code == "SEAT_NOT_ALLOTTED"
    ticket = simulator.state.sell(**place, row=3, seat=500)
    assert ticket["from_quota"] is True
    assert simulator.state.show()["manifestations"][0]["performances"][0]["zone_quotas"] == {
        "102": 0}
    with pytest.raises(SimulatorError) as refused:
        simulator.state.sell(**place, row=1, seat=1000)
    assert refused.value.code == "ZONE_QUOTA_USED_UP"
    simulator.state.refund(ticket["number"])  # gives the count its place back
    assert simulator.state.sell(**place, row=1, seat=1000)["status"] == "ACTIVE"


def test_list_operations_returns_sales_duplicates_and_refunds(client, exported):
    state = exported.state
    sold = state.sell(manifestation=MANIFESTATION, performance=PERFORMANCE, zone="101", row=2,
                      seat=7, category="1", tariff="2", price_cents=3500,
                      buyer_last_name="Dupont", buyer_first_name="Léa", buyer_city="Lyon",
                      buyer_postal_code="69003", buyer_country="FR")
    reprinted = state.duplicate(sold["number"])
    state.refund(reprinted["number"])
    page = client.list_operations(cursor=None, page_size=10)
    assert [op.type for op in page.operations] == [
        t.OperationType.SALE, t.OperationType.DUPLICATE, t.OperationType.REFUND]
    sale, duplicate, refund = page.operations
    assert (sale.ticket_number, sale.original_ticket_number) == (sold["number"], None)
    assert (duplicate.ticket_number, duplicate.original_ticket_number) == (
        reprinted["number"], sold["number"])
    assert refund.ticket_number == refund.original_ticket_number == reprinted["number"]
    # The wire pads them ("0002"), the client gives numbers.
    assert (sale.zone_code, sale.row, sale.seat) == ("101", 2, 7)
    assert (sale.category_code, sale.tariff_code, sale.price_cents, sale.currency) == (
        "1", "2", 3500, "EUR")
    assert (sale.buyer_last_name, sale.buyer_first_name, sale.buyer_city,
            sale.buyer_postal_code, sale.buyer_country) == ("Dupont", "Léa", "Lyon", "69003",
                                                            "FR")
    assert sale.point_of_sale_code == "TKN" and sale.time.tzinfo is not None
    assert page.has_more is False
    again = client.list_operations(cursor=page.next_cursor, page_size=10)
    assert again.operations == [] and again.next_cursor == page.next_cursor


def test_paging_with_the_cursor_has_no_gap_nor_duplicate(client, exported):
    exported.state.generate(count=2345, seed=7)
    seen, cursor, pages = [], None, 0
    for page in client.iter_operations(cursor=cursor, page_size=100):
        seen.extend(op.operation_id for op in page.operations)
        pages += 1
    assert pages == 24
    assert len(seen) == len(set(seen)) == 2345
    expected = [f"{exported.state.instance}-{n}" for n in range(1, 2346)]
    assert seen == expected
    # New operations appear after the stored cursor, nothing before it comes back.
    exported.state.generate(count=5, seed=8)
    tail = client.list_operations(cursor=page.next_cursor, page_size=100)
    assert [op.operation_id for op in tail.operations] == [
        f"{exported.state.instance}-{n}" for n in range(2346, 2351)]


def test_both_parsers_give_identical_dataclasses(simulator, exported):
    exported.state.generate(count=700, seed=3)
    lxml_client = make_client(simulator, listing_parser="lxml")
    zeep_client = make_client(simulator, listing_parser="zeep")
    lxml_pages = list(lxml_client.iter_operations(cursor=None, page_size=250))
    zeep_pages = list(zeep_client.iter_operations(cursor=None, page_size=250))
    assert len(lxml_pages) == 3
    assert lxml_pages == zeep_pages
    kinds = {op.type for page in lxml_pages for op in page.operations}
    assert kinds == set(t.OperationType)


@pytest.mark.parametrize("parser", ["lxml", "zeep"])
def test_a_cursor_from_another_journal_is_rejected(simulator, parser):
    client = make_client(simulator, listing_parser=parser)
    with pytest.raises(TicketnetRejected) as error:
        client.list_operations(cursor="bm90LWEtY3Vyc29y", page_size=10)
    assert error.value.code == "INVALID_CURSOR"
    with pytest.raises(TicketnetRejected) as error:
        client.list_operations(cursor=None, page_size=0)
    assert error.value.code == "INVALID_PAGE_SIZE"


def test_get_client_reuses_one_client_per_connection_values(simulator):
    clear_clients()
    values = dict(simulator.credentials.items())
    first = get_client(**values)
    assert get_client(**values) is first
    assert isinstance(first, TicketnetClient)
    changed = get_client(**{**values, "password": "another"})
    assert changed is not first
    assert "another" not in repr(changed) and simulator.password not in repr(first)
    clear_clients()


def test_the_wsdl_is_served_with_the_servers_address(simulator):
    import requests

    response = requests.get(f"http://{simulator.url}/ticketnet/ws?wsdl", timeout=5)
    assert response.status_code == 200
    assert f'location="http://{simulator.url}/ticketnet/ws"' in response.text
    xsd = requests.get(f"http://{simulator.url}/ticketnet/ticketnet.xsd", timeout=5)
    assert "ListOperationsResponse" in xsd.text
