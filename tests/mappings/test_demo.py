import pytest
from django.core.management import call_command

from catalog.models import Event, Performance, Seat, SeatAllocation, ZoneAllocation
from channels.models import ExternalSalesInterface
from mappings.models import Correspondence
from mappings.selectors import correspondence_rows, event_readiness

pytestmark = pytest.mark.django_db


def _counts():
    return (Event.objects.count(), Performance.objects.count(), Seat.objects.count(),
            SeatAllocation.objects.count(), ZoneAllocation.objects.count(),
            Correspondence.objects.count())


def test_load_demo_builds_an_exportable_catalogue_and_is_idempotent():
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    interface = ExternalSalesInterface.objects.get(internal_name="FR * Ticketnet")
    league = Event.objects.get(kind=Event.Kind.COMPETITION)
    assert league.performances.count() == 19
    concert = Event.objects.get(kind=Event.Kind.SINGLE)
    assert concert.performances.first().configuration.zones.filter(
        numbered=False, capacity=2500).exists()
    for event in (concert, league):
        assert event_readiness(interface=interface, event=event) == []
    assert all(row.code for row in correspondence_rows(interface=interface))
