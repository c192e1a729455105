"""Ticketnet codes → catalogue objects: seats as numbers, seat series, every unknown code."""

import pytest

from catalog.models import Event, Performance
from mappings.models import Correspondence, Kind
from mappings.suggestions import start_code
from sales.resolve import OperationResolver
from sales.types import OperationLine, OperationType, ParkReason
from tests import factories as f
from tests.sales import factories as sf
from tests.schedules.ticketnet_world import codes
from texts import render

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    s = sf.sales_setup(seats=12, places=2500)
    codes(s)
    return s


def line(s, **kw):
    values = {"manifestation_code": "1701", "performance_code": start_code(s.performance.start),
              "zone_code": "101", "category_code": "1", "tariff_code": "1", "row": 1, "seat": 1}
    values.update(kw)
    # Through from_mapping, as a file or the gateway hands them over (`0012` → 12).
    data = sf.line().to_json()
    data.update(values)
    return OperationLine.from_mapping(data)


def resolve(s, *lines):
    return OperationResolver(interface=s.interface).resolve(list(lines))


def test_a_numbered_seat_is_matched_as_a_number(setup):
    s = setup
    [op] = resolve(s, line(s, zone_code="0101", row="01", seat="0012", category_code="01"))
    assert op.problem is None
    assert (op.performance, op.seat, op.category, op.tariff) == (
        s.performance, s.seats[11], s.category, s.tariff)
    assert op.zone is None


def test_a_non_numbered_zone_is_matched_on_its_seat_series(setup):
    s = setup
    capacity = s.free_zone.capacity  # 3000: rows 1-3 of 1000
    ok, last, beyond, wide = resolve(
        s, line(s, zone_code="102", row=2, seat=1000), line(s, zone_code="102", row=3, seat=1000),
        line(s, zone_code="102", row=4, seat=1), line(s, zone_code="102", row=1, seat=1001))
    assert capacity == 3000
    assert ok.problem is None and (ok.zone, ok.series_row, ok.series_number, ok.seat) == (
        s.free_zone, 2, 1000, None)
    assert last.problem is None
    for op in (beyond, wide):
        assert op.problem.reason == ParkReason.INVALID_LINE
        assert "seat series" in render(op.problem.params["detail"])


def test_a_seat_outside_the_zone_is_an_invalid_line(setup):
    [op] = resolve(setup, line(setup, row=2, seat=1))
    assert op.problem.reason == ParkReason.INVALID_LINE
    assert "seat 2-1 does not exist in zone 101" in render(op.problem.params["detail"])


@pytest.mark.parametrize(("field", "value", "kind", "code"), [
    ("manifestation_code", "1799", "manifestation", "1799"),
    ("performance_code", "9901012030", "performance", None),
    ("zone_code", "305", "zone", "305"),
    ("category_code", "7", "category", "7"),
    ("tariff_code", "15", "tariff", "15"),
])
def test_every_unknown_code_parks_the_line_with_its_kind_and_code(setup, field, value, kind,
                                                                   code):
    [op] = resolve(setup, line(setup, **{field: value}))
    assert op.problem.reason == ParkReason.UNKNOWN_CODE
    assert op.problem.params["kind_key"] == kind
    assert op.problem.params["code"] == (code or f"1701/{value}")


def test_a_tariff_with_several_codes_and_a_competition_double_code(setup):
    s = setup
    Correspondence.objects.filter(interface=s.interface, kind=Kind.TARIFF).update(code="15|20|22")
    league = f.EventFactory(institution=s.interface.institution, kind=Event.Kind.COMPETITION)
    game = Performance.objects.create(event=league, start=s.performance.start,
                                      configuration=s.performance.configuration)
    # The part after "_" is the game's start (issue 10: codes are checked against it).
    Correspondence.objects.create(interface=s.interface, kind=Kind.PERFORMANCE,
                                  code=f"1702_{start_code(game.start)}", performance=game)
    [op] = resolve(s, line(s, manifestation_code="1702", performance_code=start_code(game.start),
                           tariff_code="20"))
    assert op.problem is None and (op.performance, op.tariff) == (game, s.tariff)


def test_a_zone_of_another_hall_configuration_is_an_invalid_line(setup):
    s = setup
    other = f.ZoneFactory()
    Correspondence.objects.create(interface=s.interface, kind=Kind.ZONE, code="555", zone=other)
    [op] = resolve(s, line(s, zone_code="555"))
    assert op.problem.reason == ParkReason.INVALID_LINE


def test_duplicates_and_refunds_need_no_code(setup):
    ops = resolve(setup, sf.line(OperationType.DUPLICATE, original="X"),
                  sf.line(OperationType.REFUND, number="X", original="X"))
    assert [op.problem for op in ops] == [None, None]


def test_a_page_is_resolved_in_a_bounded_number_of_queries(setup, django_assert_max_num_queries):
    s = setup
    lines = [line(s, seat=n % 12 + 1) for n in range(300)] + [
        line(s, zone_code="102", row=1 + n // 1000, seat=1 + n % 1000) for n in range(300)]
    with django_assert_max_num_queries(8):
        ops = resolve(s, *lines)
    assert all(op.problem is None for op in ops)
