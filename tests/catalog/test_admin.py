import pytest
from django.urls import reverse

from catalog import services
from catalog.models import Seat, SeatAllocation
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def interface():
    return f.InterfaceFactory()


@pytest.fixture
def client_of(client, interface):
    user = f.staff_user(interface.institution)
    client.force_login(user)
    return client


def _fill(institution, n):
    config = f.LogicalConfigurationFactory(hall__institution=institution)
    category = f.SeatCategoryFactory(institution=institution)
    event = f.EventFactory(institution=institution)
    quota = f.ExternalQuotaFactory(institution=institution)
    profile = f.ActivityProfileFactory(institution=institution)
    for i in range(n):
        zone = f.ZoneFactory(configuration=config, name=f"Z{i}")
        services.seats_create_block(zone=zone, rows=1, seats_per_row=3, category=category)
        f.NonNumberedZoneFactory(configuration=config, name=f"N{i}", category=category)
        f.HallFactory(institution=institution)
        f.TariffFactory(institution=institution)
        perf = f.PerformanceFactory(event=event, configuration=config)
        f.PriceFactory(event=event, performance=perf, category=category,
                       tariff=f.TariffFactory(institution=institution))
        f.EventFactory(institution=institution)
        profile.events.add(event)
    perfs = list(event.performances.all())
    services.quota_allocate_seats(performances=perfs, quota=quota)
    services.quota_allocate_places(performances=perfs, quota=quota)


CHANGELISTS = ["hall", "logicalconfiguration", "seatcategory", "tariff", "zone", "seat", "event",
               "performance", "price", "seatallocation", "zoneallocation", "activityprofile"]


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelists_run_a_bounded_number_of_queries(client_of, interface, model,
                                                     django_assert_max_num_queries):
    url = reverse(f"admin:catalog_{model}_changelist")
    _fill(interface.institution, 3)
    with django_assert_max_num_queries(14) as small:
        assert client_of.get(url).status_code == 200
    _fill(interface.institution, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client_of.get(url).status_code == 200


def test_another_institutions_objects_are_invisible_and_unreachable(client_of, interface):
    foreign_zone = f.ZoneFactory(name="Foreign block")
    foreign_hall = foreign_zone.configuration.hall
    own_zone = f.ZoneFactory(configuration__hall__institution=interface.institution,
                             name="Own block")
    page = client_of.get(reverse("admin:catalog_zone_changelist")).content.decode()
    assert "Own block" in page and "Foreign block" not in page
    assert foreign_hall.name not in page  # not even in the filter
    response = client_of.get(reverse("admin:catalog_zone_change", args=[foreign_zone.pk]))
    assert response.status_code == 302  # "does not exist" redirect, no leak
    block = reverse("admin:catalog_zone_seat_block", args=[foreign_zone.pk])
    assert client_of.get(block).status_code == 404
    assert client_of.get(reverse("admin:catalog_zone_change", args=[own_zone.pk])).status_code == 200


def test_create_a_block_of_seats_from_the_zone_admin(client_of, interface):
    zone = f.ZoneFactory(configuration__hall__institution=interface.institution)
    category = f.SeatCategoryFactory(institution=interface.institution)
    url = reverse("admin:catalog_zone_seat_block", args=[zone.pk])
    assert client_of.get(url).status_code == 200
    response = client_of.post(url, {"rows": 4, "seats_per_row": 10, "category": category.pk,
                                    "first_row": 1, "first_number": 1})
    assert response.status_code == 302
    assert Seat.objects.filter(zone=zone).count() == 40
    again = client_of.post(url, {"rows": 1, "seats_per_row": 1, "category": category.pk,
                                 "first_row": 1, "first_number": 1})
    assert again.status_code == 200 and "already exist" in again.content.decode()


def test_foreign_category_not_offered_for_a_block(client_of, interface):
    zone = f.ZoneFactory(configuration__hall__institution=interface.institution)
    foreign = f.SeatCategoryFactory()
    response = client_of.post(
        reverse("admin:catalog_zone_seat_block", args=[zone.pk]),
        {"rows": 1, "seats_per_row": 1, "category": foreign.pk, "first_row": 1,
         "first_number": 1},
    )
    assert response.status_code == 200 and Seat.objects.count() == 0


def test_allocate_an_event_to_the_quota_from_the_admin(client_of, interface):
    institution = interface.institution
    config = f.LogicalConfigurationFactory(hall__institution=institution)
    zone = f.ZoneFactory(configuration=config)
    services.seats_create_block(zone=zone, rows=2, seats_per_row=10,
                                category=f.SeatCategoryFactory(institution=institution))
    event = f.EventFactory(institution=institution)
    for _ in range(3):
        f.PerformanceFactory(event=event, configuration=config)
    url = reverse("admin:catalog_zone_allocate")
    assert client_of.get(url + f"?event={event.pk}").status_code == 200
    response = client_of.post(url, {"event": event.pk, "quota": interface.external_quota.pk})
    assert response.status_code == 302
    assert SeatAllocation.objects.filter(quota=interface.external_quota).count() == 60
    foreign_quota = f.ExternalQuotaFactory()
    refused = client_of.post(url, {"event": event.pk, "quota": foreign_quota.pk})
    assert refused.status_code == 200 and not SeatAllocation.objects.filter(
        quota=foreign_quota).exists()


def test_zone_page_shows_the_seat_series(client_of, interface):
    zone = f.NonNumberedZoneFactory(configuration__hall__institution=interface.institution,
                                    capacity=2500)
    page = client_of.get(reverse("admin:catalog_zone_change", args=[zone.pk])).content.decode()
    assert "3-1…3-500" in page


def test_the_allocation_form_refuses_a_quota_of_another_institution(interface):
    from catalog.forms import QuotaAllocationForm

    event = f.EventFactory(institution=interface.institution)
    superuser = f.UserFactory(username="root", is_superuser=True)
    foreign = QuotaAllocationForm(
        data={"event": event.pk, "quota": f.ExternalQuotaFactory().pk}, user=superuser
    )
    assert foreign.errors == {"quota": ["Choose a quota of the event's institution."]}
    mine = QuotaAllocationForm(
        data={"event": event.pk, "quota": interface.external_quota.pk}, user=superuser
    )
    assert mine.is_valid(), mine.errors
