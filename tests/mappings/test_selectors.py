import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Event, Performance, Tariff
from mappings.models import Kind
from mappings.selectors import correspondence_book, event_readiness
from mappings.services import correspondences_fill_suggestions
from mappings.suggestions import start_code
from tests import factories as f
from tests.mappings.factories import CorrespondenceFactory, build_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def interface():
    return f.InterfaceFactory()


def test_book_both_ways(interface, django_assert_num_queries):
    single = build_event(interface=interface, performances=2)
    competition = build_event(interface=interface, kind=Event.Kind.COMPETITION, performances=2)
    assert correspondences_fill_suggestions(interface=interface).ok
    tariff = single.prices.first().tariff
    CorrespondenceFactory._meta.model.objects.filter(tariff=tariff).delete()
    CorrespondenceFactory(interface=interface, tariff=tariff, code="15|20|22")
    with django_assert_num_queries(1):
        book = correspondence_book(interface=interface)
    assert book.tariff_codes(tariff.pk) == ["15", "20", "22"]
    assert book.object_id_for(Kind.TARIFF, "20") == tariff.pk
    assert book.object_id_for(Kind.TARIFF, "020") == tariff.pk  # as numbers
    assert book.object_id_for(Kind.TARIFF, "15|20") is None
    event_code = book.code_for(Kind.EVENT, single.pk)
    assert book.object_id_for(Kind.EVENT, event_code) == single.pk
    assert book.code_for(Kind.EVENT, competition.pk) is None

    perf = Performance.objects.select_related("event").filter(event=single).first()
    key = book.performance_key(perf)
    assert key == (event_code, start_code(perf.start))
    assert book.performance_id_for(*key) == perf.pk
    assert book.performance_id_for(event_code, "9901010000") is None

    comp_perf = Performance.objects.select_related("event").filter(event=competition).last()
    manifestation, performance = book.performance_key(comp_perf)
    assert f"{manifestation}_{performance}" == book.code_for(Kind.PERFORMANCE, comp_perf.pk)
    assert book.performance_id_for(manifestation, performance) == comp_perf.pk
    assert book.performance_id_for("0" + manifestation, performance) == comp_perf.pk
    assert book.performance_id_for("999", performance) is None


def test_unmapped_performance_has_no_key(interface):
    event = build_event(interface=interface)
    book = correspondence_book(interface=interface)
    assert book.performance_key(event.performances.select_related("event").first()) is None


def _kinds(problems):
    return {(p.kind, p.field) for p in problems}


def test_readiness_of_a_complete_event_is_empty(interface):
    event = build_event(interface=interface, performances=2)
    assert correspondences_fill_suggestions(interface=interface).ok
    assert event_readiness(interface=interface, event=event) == []


def test_readiness_lists_what_is_missing(interface):
    event = build_event(interface=interface, performances=2, allocate=False, in_profile=False)
    problems = event_readiness(interface=interface, event=event)
    assert _kinds(problems) >= {
        ("event", "activity_profiles"), ("event", "code"), ("configuration", "code"),
        ("zone", "code"), ("category", "code"), ("tariff", "code"), ("performance", "quota"),
    }
    assert all(p.message for p in problems)


def test_readiness_of_a_competition_and_prices(interface):
    event = build_event(interface=interface, kind=Event.Kind.COMPETITION, performances=3)
    member = f.TariffFactory(institution=interface.institution,
                             audience_type=Tariff.AudienceType.MEMBER)
    category = event.prices.first().category
    event.prices.create(category=category, tariff=member, amount_cents=100)
    problems = event_readiness(interface=interface, event=event)
    assert sum(1 for p in problems if p.kind == "performance" and p.field == "code") == 3
    assert ("tariff", "audience_type") in _kinds(problems)
    missing_prices = [p for p in problems if p.kind == "price"]
    assert len(missing_prices) == 1 and "3 of 3" in missing_prices[0].message


def test_readiness_runs_a_bounded_number_of_queries(interface):
    small = build_event(interface=interface, performances=1, zones=1)
    big = build_event(interface=interface, performances=15, zones=12, rows=5, seats_per_row=10,
                      tariffs=4)
    for event in (small, big):
        event.kind = Event.Kind.COMPETITION
        event.save()
    counts = []
    for event in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            event_readiness(interface=interface, event=event)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 14
