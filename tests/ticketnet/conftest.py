"""A client on the simulator, and a small manifestation to export."""

from datetime import datetime, timedelta, timezone

import pytest

from benchmarks.zeep_listing import ZeepListingClient
from ticketnet_gateway import types as t
from ticketnet_gateway.client import TicketnetClient

PARIS = timezone(timedelta(hours=2))
MANIFESTATION = "1701"
PERFORMANCE = "1709052030"


def make_manifestation(code=MANIFESTATION, *, rows=3, per_row=10, zones=None, **overrides):
    """Zone 101 numbered (rows × per_row, category 1), zone 102 a 2500-place series
    (category 2); tariffs 1 and 2."""
    values = {
        "code": code, "name": "Concert d'ouverture", "hall_code": "1",
        "performances": (t.PerformanceSpec(PERFORMANCE, datetime(2017, 9, 5, 20, 30,
                                                               tzinfo=PARIS)),),
        "seat_categories": (t.NamedCode("1", "Catégorie 1"), t.NamedCode("2", "Pelouse")),
        "tariffs": (t.NamedCode("1", "Plein"), t.NamedCode("2", "Réduit")),
        "zones": zones or (
            t.ZoneSpec("101", "Bloc A1", seats=tuple(
                t.SeatSpec(r, n, "1") for r in range(1, rows + 1)
                for n in range(1, per_row + 1))),
            t.ZoneSpec("102", "Pelouse", capacity=2500, category_code="2"),
        ),
        "prices": (t.PriceSpec("1", "1", 5000), t.PriceSpec("1", "2", 3500),
                t.PriceSpec("2", "1", 2000)),
    }
    values.update(overrides)
    return t.Manifestation(**values)


def numbered_seats(rows=3, per_row=10):
    return [t.AllottedSeat("101", r, n, "1") for r in range(1, rows + 1)
            for n in range(1, per_row + 1)]


def make_client(simulator, *, listing_parser="lxml", **overrides) -> TicketnetClient:
    """The product's client; `listing_parser="zeep"`: one that reads listOperations with zeep's
    object mapping, the reference the lxml parser is compared with."""
    values = {**simulator.credentials, "connect_timeout": 2, "read_timeout": 5,
              "operation_timeout": 10, "retry_backoff": 0.01}
    values.update(overrides)
    client_class = {"lxml": TicketnetClient, "zeep": ZeepListingClient}[listing_parser]
    return client_class(**values)


@pytest.fixture
def client(simulator):
    return make_client(simulator)


@pytest.fixture
def exported(simulator, client):
    """Manifestation 1701 created, its 30 numbered seats allotted to performance 1709052030."""
    client.create_manifestation(make_manifestation())
    client.export_allotment(manifestation_code=MANIFESTATION, performance_code=PERFORMANCE,
                            seats=numbered_seats())
    return simulator
