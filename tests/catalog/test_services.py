import pytest
from django.core.exceptions import ValidationError

from catalog import services
from catalog.models import Seat, SeatAllocation, ZoneAllocation
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone():
    return f.ZoneFactory()


@pytest.fixture
def category(zone):
    return f.SeatCategoryFactory(institution=zone.configuration.hall.institution)


@pytest.mark.parametrize("method", [None, "bulk_create"])
def test_create_block_of_seats(zone, category, method):
    created = services.seats_create_block(zone=zone, rows=3, seats_per_row=4, category=category,
                                          first_row=2, method=method)
    assert created == 12
    seats = list(zone.seats.order_by("row", "number").values_list("row", "number"))
    assert seats[0] == (2, 1) and seats[-1] == (4, 4)
    assert all(s.category_id == category.pk for s in zone.seats.all())


def test_block_refused_when_a_seat_exists(zone, category):
    services.seats_create_block(zone=zone, rows=2, seats_per_row=2, category=category)
    with pytest.raises(ValidationError) as exc:
        services.seats_create_block(zone=zone, rows=2, seats_per_row=5, category=category)
    assert "already exist" in str(exc.value.message_dict["rows"])
    assert zone.seats.count() == 4  # all or nothing
    assert services.seats_create_block(zone=zone, rows=1, seats_per_row=5, category=category,
                                       first_row=3) == 5


def test_block_refused_on_a_non_numbered_zone_or_foreign_category():
    zone = f.NonNumberedZoneFactory()
    with pytest.raises(ValidationError) as exc:
        services.seats_create_block(zone=zone, rows=1, seats_per_row=1,
                                    category=f.SeatCategoryFactory())
    assert set(exc.value.message_dict) == {"zone", "category"}
    assert Seat.objects.count() == 0


def _stadium():
    interface = f.InterfaceFactory()
    institution = interface.institution
    config = f.LogicalConfigurationFactory(hall__institution=institution)
    category = f.SeatCategoryFactory(institution=institution)
    zones = [f.ZoneFactory(configuration=config) for _ in range(3)]
    for zone in zones:
        services.seats_create_block(zone=zone, rows=2, seats_per_row=5, category=category)
    pit = f.NonNumberedZoneFactory(configuration=config, capacity=2500,
                                   category=category)
    event = f.EventFactory(institution=institution)
    perfs = [f.PerformanceFactory(event=event, configuration=config) for _ in range(3)]
    return interface.external_quota, zones, pit, event, perfs


def test_allocate_whole_configuration_and_again_is_a_no_op():
    quota, zones, pit, event, perfs = _stadium()
    assert services.quota_allocate_seats(performances=perfs, quota=quota) == 3 * 30
    assert services.quota_allocate_seats(performances=perfs, quota=quota) == 0
    assert SeatAllocation.objects.filter(quota=quota).count() == 90


def test_allocate_some_zones_for_one_performance():
    quota, zones, pit, event, perfs = _stadium()
    assert services.quota_allocate_seats(performances=perfs[:1], quota=quota,
                                         zones=zones[:2]) == 20
    assert set(SeatAllocation.objects.values_list("seat__zone", flat=True)) == {
        zones[0].pk, zones[1].pk}
    assert services.quota_release_seats(performances=perfs[:1], quota=quota,
                                        zones=zones[:1]) == 10


def test_seats_in_another_quota_stay_there():
    quota, zones, pit, event, perfs = _stadium()
    other = f.ExternalQuotaFactory(institution=quota.institution)
    services.quota_allocate_seats(performances=perfs[:1], quota=other, zones=zones[:1])
    assert services.quota_allocate_seats(performances=perfs[:1], quota=quota) == 20
    assert SeatAllocation.objects.filter(quota=other).count() == 10


def test_allocate_refuses_a_foreign_quota():
    quota, zones, pit, event, perfs = _stadium()
    with pytest.raises(ValidationError) as exc:
        services.quota_allocate_seats(performances=perfs, quota=f.ExternalQuotaFactory())
    assert exc.value.message_dict == {"quota": ["The quota belongs to another institution."]}


@pytest.mark.parametrize("allocate", [services.quota_allocate_seats,
                                      services.quota_allocate_places])
def test_allocate_refuses_a_foreign_zone(allocate):
    quota, zones, pit, event, perfs = _stadium()
    foreign = f.NonNumberedZoneFactory()
    with pytest.raises(ValidationError) as exc:
        allocate(performances=perfs, quota=quota, zones=[pit, foreign])
    assert exc.value.message_dict == {"zones": ["A zone belongs to another institution."]}
    assert not SeatAllocation.objects.exists() and not ZoneAllocation.objects.exists()


def test_allocate_places_caps_at_what_other_quotas_leave():
    quota, zones, pit, event, perfs = _stadium()
    other = f.ExternalQuotaFactory(institution=quota.institution)
    services.quota_allocate_places(performances=perfs[:1], quota=other, places=2000)
    assert services.quota_allocate_places(performances=perfs, quota=quota) == 3
    places = dict(ZoneAllocation.objects.filter(quota=quota).values_list("performance", "places"))
    assert places == {perfs[0].pk: 500, perfs[1].pk: 2500, perfs[2].pk: 2500}
    assert services.quota_allocate_places(performances=perfs, quota=quota, places=100) == 3
    assert set(ZoneAllocation.objects.filter(quota=quota).values_list("places", flat=True)) == {100}


def test_event_allocate_to_quota_does_seats_and_places():
    quota, zones, pit, event, perfs = _stadium()
    result = services.event_allocate_to_quota(event=event, quota=quota)
    assert result == services.AllocationResult(seats=90, places=3)
