"""Factories and a catalogue builder for the correspondence tests."""

import datetime as dt

import factory
from django.utils import timezone

from catalog import models as catalog
from catalog import services as catalog_services
from mappings.models import Correspondence, Kind
from tests import factories as f


class CorrespondenceFactory(factory.django.DjangoModelFactory):
    """A tariff's correspondence by default; pass kind and the target for others."""

    class Meta:
        model = Correspondence

    interface = factory.SubFactory(f.InterfaceFactory)
    kind = Kind.TARIFF
    tariff = factory.SubFactory(
        f.TariffFactory, institution=factory.SelfAttribute("..interface.institution")
    )
    code = factory.Sequence(lambda n: str(n + 1))


def build_event(*, interface, kind=catalog.Event.Kind.SINGLE, performances=1, zones=2,
                rows=2, seats_per_row=5, tariffs=2, season=2017, code=None, allocate=True,
                in_profile=True, configuration=None, categories=None, tariff_list=None):
    """An event of `interface`'s institution with its performances, zones, seats, prices and
    seats in the interface's quota; in an activity profile of the interface's channel."""
    institution = interface.institution
    event = f.EventFactory(institution=institution, kind=kind, season=season,
                           **({"code": code} if code else {}))
    if configuration is None:
        configuration = f.LogicalConfigurationFactory(hall__institution=institution)
        categories = categories or [f.SeatCategoryFactory(institution=institution)
                                    for _ in range(2)]
        for i in range(zones):
            zone = f.ZoneFactory(configuration=configuration, block_letter="ABCDEFGH"[i % 8],
                                 block_number=i // 8 + 1, name=f"Block {i}")
            catalog_services.seats_create_block(
                zone=zone, rows=rows, seats_per_row=seats_per_row,
                category=categories[i % len(categories)],
            )
    categories = categories or list(catalog.SeatCategory.objects.filter(
        seats__zone__configuration=configuration).distinct())
    start = timezone.make_aware(dt.datetime(season, 9, 5, 20, 30))
    perfs = [
        catalog.Performance.objects.create(event=event, configuration=configuration,
                                           start=start + dt.timedelta(days=7 * i))
        for i in range(performances)
    ]
    tariff_list = tariff_list or [f.TariffFactory(institution=institution)
                                  for _ in range(tariffs)]
    for category in categories:
        for tariff in tariff_list:
            catalog.Price.objects.create(event=event, category=category, tariff=tariff,
                                         amount_cents=2500)
    if allocate:
        catalog_services.quota_allocate_seats(performances=perfs, quota=interface.external_quota)
    if in_profile:
        profile = catalog.ActivityProfile.objects.filter(channel=interface.channel).first() or \
            f.ActivityProfileFactory(institution=institution, channel=interface.channel)
        profile.events.add(event)
    return event
