import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_interface_factory_builds_a_valid_interface():
    interface = f.InterfaceFactory()
    interface.full_clean()
    assert interface.point_of_sale.channel == interface.channel
    assert interface.get_password() == "secret-password"


def test_allocation_factories_hang_together():
    seat_alloc = f.SeatAllocationFactory()
    assert seat_alloc.seat.zone.configuration == seat_alloc.performance.configuration
    zone_alloc = f.ZoneAllocationFactory()
    zone_alloc.full_clean()
    assert zone_alloc.zone.configuration.hall.institution == zone_alloc.performance.event.institution
