import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.models import Event
from mappings.models import Kind, code_entries
from mappings.selectors import correspondence_book, interface_catalogue
from mappings.suggestions import block_code, season_code, start_code, suggest_codes
from mappings.validators import validate_code
from tests import factories as f
from tests.mappings.factories import CorrespondenceFactory, build_event


def test_the_guides_examples():
    assert block_code("A", 1) == 101
    assert block_code("C", 5) == 305
    assert season_code(2017, 1) == 1701
    assert season_code(2017, 2) == 1702
    paris = ZoneInfo("Europe/Paris")
    assert start_code(dt.datetime(2017, 9, 5, 20, 30, tzinfo=paris)) == "1709052030"
    # Stored in UTC, shown in the institution's time zone.
    assert start_code(dt.datetime(2017, 9, 5, 18, 30, tzinfo=dt.UTC)) == "1709052030"


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=2),
       st.integers(min_value=0, max_value=999))
def test_block_codes_are_valid_codes(letters, number):
    validate_code(str(block_code(letters, number)))


@given(st.integers(min_value=2000, max_value=2099), st.integers(min_value=1, max_value=9999))
def test_season_codes_are_valid_and_distinct(season, n):
    code = season_code(season, n)
    validate_code(str(code))
    assert code != season_code(season, n + 1)


@pytest.mark.django_db
def test_suggestions_for_an_interface_never_reuse_a_taken_code():
    interface = f.InterfaceFactory()
    concert = build_event(interface=interface, season=2017, zones=3)
    competition = build_event(interface=interface, kind=Event.Kind.COMPETITION, performances=3,
                              season=2017)
    # 1701 is already the concert's code: the competition takes 1702, 1703, 1704.
    CorrespondenceFactory(interface=interface, kind=Kind.EVENT, tariff=None, event=concert,
                          code="1701")
    book = correspondence_book(interface=interface)
    catalogue = interface_catalogue(interface=interface)
    suggestions = suggest_codes(catalogue=catalogue, taken=book.taken(), coded=book.coded())
    perfs = sorted(competition.performances.all(), key=lambda p: p.start)
    assert [suggestions[(Kind.PERFORMANCE, p.pk)] for p in perfs] == [
        f"{1702 + i}_{start_code(p.start)}" for i, p in enumerate(perfs)
    ]
    assert (Kind.EVENT, concert.pk) not in suggestions
    zones = [suggestions[(Kind.ZONE, z.pk)] for z in catalogue.zones]
    # Both configurations have blocks A1 and B1: the second pair moves to 10101, 10201.
    assert set(zones) == {"101", "201", "301", "10101", "10201"}
    assert [suggestions[(Kind.CONFIGURATION, c.pk)] for c in catalogue.configurations] == ["1",
                                                                                         "2"]
    assert [suggestions[(Kind.TARIFF, t.pk)] for t in catalogue.tariffs] == ["1", "2", "3", "4"]
    # Every suggestion is valid and none collides with another or with a saved code.
    used = set()
    for (kind, _pk), code in suggestions.items():
        for pair in code_entries(kind, code):
            assert pair not in used
            used.add(pair)
    assert ("manifestation", "1701") not in used


@pytest.mark.django_db
def test_suggestion_skips_codes_taken_by_objects_outside_the_catalogue():
    interface = f.InterfaceFactory()
    event = build_event(interface=interface, zones=1, tariffs=1)
    stray = f.TariffFactory(institution=interface.institution)
    CorrespondenceFactory(interface=interface, tariff=stray, code="1|2")
    book = correspondence_book(interface=interface)
    suggestions = suggest_codes(catalogue=interface_catalogue(interface=interface),
                                taken=book.taken(), coded=book.coded())
    tariff = event.prices.first().tariff
    assert suggestions[(Kind.TARIFF, tariff.pk)] == "3"
