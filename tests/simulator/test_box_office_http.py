"""The simulator's box office over HTTP (rehearsals driven from the bridge) and its client."""

import pytest
import requests

from tests.ticketnet.conftest import MANIFESTATION, PERFORMANCE
from ticketnet_simulator.box_office_client import BoxOfficeClient, BoxOfficeError


def box_office(simulator, **overrides):
    values = {"url": simulator.url, "login": simulator.login, "password": simulator.password,
              "institution_code": simulator.institution_code, "timeout": 5}
    values.update(overrides)
    return BoxOfficeClient(**values)


def test_free_seats_sell_duplicate_refund_through_the_box_office(exported):
    client = box_office(exported)
    assert client.available()
    seats = client.free_seats(manifestation=MANIFESTATION, performance=PERFORMANCE, limit=2)
    assert [(s["zone"], s["row"], s["seat"], s["category"]) for s in seats] == [
        ("101", 1, 1, "1"), ("101", 1, 2, "1")]
    assert seats[0]["tariffs"] == [{"tariff": "1", "price_cents": 5000},
                                   {"tariff": "2", "price_cents": 3500}]
    first = client.sell(manifestation=MANIFESTATION, performance=PERFORMANCE, zone="101",
                        row=1, seat=1, category="1", tariff="1", price_cents=5000,
                        buyer_last_name="TEST")
    assert first["status"] == "ACTIVE" and first["buyer_last_name"] == "TEST"
    # A sold seat is no longer offered.
    assert client.free_seats(manifestation=MANIFESTATION, performance=PERFORMANCE,
                             limit=1)[0]["seat"] == 2
    reprint = client.duplicate(first["number"])
    assert exported.state.ticket(first["number"])["status"] == "REPLACED"
    assert client.refund(reprint["number"])["status"] == "REFUNDED"
    with pytest.raises(BoxOfficeError) as refused:
        client.refund(reprint["number"])
    assert refused.value.code == "TICKET_CANCELLED"
    assert [op["type"] for op in _journal(exported)] == ["SALE", "DUPLICATE", "REFUND"]


def _journal(simulator):
    rows, _cursor, _more = simulator.state.list_operations(cursor=None, page_size=10)
    return [{"type": line.operation.type} for line in rows]


def test_the_box_office_wants_the_account_and_says_what_is_wrong(exported):
    with pytest.raises(BoxOfficeError) as refused:
        box_office(exported, password="wrong").free_seats(
            manifestation=MANIFESTATION, performance=PERFORMANCE)
    assert refused.value.code == "AUTHENTICATION_FAILED"
    with pytest.raises(BoxOfficeError) as refused:
        box_office(exported).sell(manifestation=MANIFESTATION, performance=PERFORMANCE,
                                  zone="101", row=1, seat=99, category="1", tariff="1",
                                  price_cents=5000)
    assert refused.value.code == "UNKNOWN_SEAT"
    response = requests.post(f"http://{exported.url}/box-office/nope", json={}, timeout=5)
    assert response.status_code == 404 and response.json()["error"] == "NOT_FOUND"
    response = requests.post(f"http://{exported.url}/box-office/sell", data=b"not json",
                             timeout=5)
    assert response.status_code == 400


def test_a_peer_without_a_box_office_is_not_a_simulator(unused_tcp_port, simulator):
    assert not box_office(simulator, url=f"127.0.0.1:{unused_tcp_port}").available()
    with pytest.raises(BoxOfficeError) as refused:
        box_office(simulator, url=f"127.0.0.1:{unused_tcp_port}").refund("X")
    assert refused.value.code == "UNREACHABLE"
