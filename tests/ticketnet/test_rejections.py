"""Ticketnet's rules reach the caller as TicketnetRejected with Ticketnet's code and message."""

import pytest

from ticketnet_gateway import types as t
from ticketnet_gateway.errors import TicketnetRejected

from .conftest import MANIFESTATION, PERFORMANCE, make_client, make_manifestation, numbered_seats


def rejected(call, **kwargs) -> TicketnetRejected:
    with pytest.raises(TicketnetRejected) as error:
        call(**kwargs)
    return error.value


@pytest.mark.parametrize(
    ("field", "value", "code", "words"),
    [
        ("login", "SOMEONE", "AUTHENTICATION_FAILED", "Login, password or institution code"),
        ("password", "wrong", "AUTHENTICATION_FAILED", "Login, password or institution code"),
        ("institution_code", "506", "AUTHENTICATION_FAILED", "institution code refused"),
    ],
)
def test_wrong_credentials_are_refused(simulator, field, value, code, words):
    client = make_client(simulator, **{field: value})
    error = rejected(client.ping)
    assert error.code == code and words in error.message
    assert str(error) == f"{code}: {error.message}"


def test_an_account_set_by_the_command_is_accepted(simulator):
    simulator.state.account_set(login="OTHER", password="secret", institution_code="42")
    assert make_client(simulator, login="OTHER", password="secret",
                       institution_code="42").ping().version


@pytest.mark.parametrize(
    ("overrides", "code", "words"),
    [
        ({"code": "0170"}, "LEADING_ZERO", "without leading zeros (“170”)"),
        ({"code": "1234567890"}, "CODE_TOO_LONG", "fewer than ten digits"),
        ({"code": "17A1"}, "INVALID_CODE", "not an integer"),
        ({"code": "1701_1709052030"}, "INVALID_CODE", "double code"),
        ({"hall_code": "01"}, "LEADING_ZERO", "hall code"),
        ({"performances": (t.PerformanceSpec("17090520301", __import__("datetime").datetime(
            2017, 9, 5, 20, 30, tzinfo=__import__("datetime").UTC)),)},
         "PERFORMANCE_CODE_TOO_LONG", "at most 10 characters after “_”"),
        ({"seat_categories": (t.NamedCode("01", "Cat"),)}, "LEADING_ZERO", "seat category"),
        ({"tariffs": (t.NamedCode("1", "Plein"), t.NamedCode("1", "Encore"))},
         "DUPLICATE_CODE", "tariff code 1 appears twice"),
        ({"zones": (t.ZoneSpec("101", "A1", seats=(t.SeatSpec("01", 1, "1"),)),)},
         "LEADING_ZERO", "without leading zeros"),
        ({"zones": (t.ZoneSpec("101", "A1", seats=(t.SeatSpec(1, "007", "1"),)),)},
         "LEADING_ZERO", "(write “7”)"),
        ({"zones": (t.ZoneSpec("101", "A1", seats=(t.SeatSpec(1, 1, "9"),)),)},
         "UNKNOWN_CATEGORY", "seat category 9 is not in manifestation"),
        ({"zones": (t.ZoneSpec("101", "A1", seats=(t.SeatSpec(1, 1, "1"),
                                                   t.SeatSpec(1, 1, "1"))),)},
         "DUPLICATE_SEAT", "appears twice"),
        ({"zones": (t.ZoneSpec("102", "Pelouse", capacity=0, category_code="2"),)},
         "NON_NUMBERED_ZONE", "numbered seats only"),
        ({"prices": (t.PriceSpec("1", "7", 100),)}, "UNKNOWN_TARIFF", "tariff 7"),
    ],
)
def test_create_manifestation_rules(client, overrides, code, words):
    error = rejected(client.create_manifestation, manifestation=make_manifestation(**overrides))
    assert error.code == code
    assert words in error.message


@pytest.mark.parametrize(
    ("seat", "code", "words"),
    [
        (t.AllottedSeat("101", 4, 1, "1"), "UNKNOWN_SEAT", "does not exist in manifestation"),
        (t.AllottedSeat("102", 3, 501, "2"), "UNKNOWN_SEAT", "Seat 3-501 of zone 102"),
        (t.AllottedSeat("103", 1, 1, "1"), "UNKNOWN_ZONE", "Zone 103"),
        (t.AllottedSeat("101", 1, 1, "2"), "CATEGORY_MISMATCH", "in seat category 1"),
        (t.AllottedSeat("101", "01", 1, "1"), "LEADING_ZERO", "write “1”"),
    ],
)
def test_allotted_seats_must_exist_in_the_manifestation(client, seat, code, words):
    client.create_manifestation(make_manifestation())
    error = rejected(client.export_allotment, manifestation_code=MANIFESTATION,
                     performance_code=PERFORMANCE, seats=[*numbered_seats()[:2], seat])
    assert error.code == code and words in error.message


def test_a_refused_batch_changes_nothing(client, simulator):
    client.create_manifestation(make_manifestation())
    client.export_allotment(manifestation_code=MANIFESTATION, performance_code=PERFORMANCE,
                            seats=numbered_seats()[:4])
    rejected(client.export_allotment, manifestation_code=MANIFESTATION,
             performance_code=PERFORMANCE, seats=[t.AllottedSeat("101", 9, 9, "1")])
    performance = simulator.state.show()["manifestations"][0]["performances"][0]
    assert performance["allotted_seats"] == 4


def test_unknown_manifestation_and_performance(client):
    error = rejected(client.export_allotment, manifestation_code="1799",
                     performance_code=PERFORMANCE, seats=[])
    assert error.code == "UNKNOWN_MANIFESTATION" and "export the catalogue first" in error.message
    client.create_manifestation(make_manifestation())
    error = rejected(client.set_zone_quota, manifestation_code=MANIFESTATION,
                     performance_code="1709062030", zone_code="102", places_available=1)
    assert error.code == "UNKNOWN_PERFORMANCE"


def test_zone_quota_rules(client):
    client.create_manifestation(make_manifestation())
    error = rejected(client.set_zone_quota, manifestation_code=MANIFESTATION,
                     performance_code=PERFORMANCE, zone_code="101", places_available=3)
    assert error.code == "ZONE_NUMBERED" and "setAllotment" in error.message
    # A count is of the places the allotment export sent: none yet, so only 0 (it was
    # "0 to 2500", the zone's capacity, before issue 10).
    error = rejected(client.set_zone_quota, manifestation_code=MANIFESTATION,
                     performance_code=PERFORMANCE, zone_code="102", places_available=1)
    assert error.code == "INVALID_QUOTA" and "send 0 to 0" in error.message
    client.export_allotment(manifestation_code=MANIFESTATION, performance_code=PERFORMANCE,
                            seats=[t.AllottedSeat("102", 1 + i // 1000, 1 + i % 1000, "2")
                                   for i in range(1500)])
    error = rejected(client.set_zone_quota, manifestation_code=MANIFESTATION,
                     performance_code=PERFORMANCE, zone_code="102", places_available=1501)
    assert error.code == "INVALID_QUOTA" and "send 0 to 1500" in error.message
    error = rejected(client.set_zone_quota, manifestation_code=MANIFESTATION,
                     performance_code=PERFORMANCE, zone_code="102", places_available=-1)
    assert error.code == "INVALID_QUOTA"
    assert client.set_zone_quota(manifestation_code=MANIFESTATION, performance_code=PERFORMANCE,
                                 zone_code="102", places_available=1500).places_available == 1500


@pytest.mark.parametrize(("seat", "code"), [
    (t.AllottedSeat("1<0&1", 1, 1, "1"), "INVALID_CODE"),  # escaped: Ticketnet judges the code
    (t.AllottedSeat("101", "01", 1, "1"), "LEADING_ZERO"),  # sent as given, never normalised
    (t.AllottedSeat("101", 1, 1, "1 ]]>"), "INVALID_CODE"),
])
def test_allotted_seats_reach_ticketnet_as_given_and_well_formed(client, seat, code):
    client.create_manifestation(make_manifestation())
    error = rejected(client.set_allotment, manifestation_code=MANIFESTATION,
                     performance_code=PERFORMANCE, seats=[seat], export_id="e1", replace=True)
    assert error.code == code
