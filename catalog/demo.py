"""A realistic demo catalogue: a concert in a numbered hall with a standing pit of 2500
places, and a football league season of 19 performances in a stadium; idempotent."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from channels.models import ExternalQuota, Institution, SalesChannel

from . import services
from .models import (
    ActivityProfile,
    Event,
    Hall,
    LogicalConfiguration,
    Performance,
    Price,
    SeatCategory,
    Tariff,
    Zone,
)

CONCERT_CODE = "CONC27"
LEAGUE_CODE = "L2-2027"


@dataclass
class DemoCatalog:
    concert: Event
    league: Event
    profile: ActivityProfile
    seats: int
    seat_allocations: int


def _zone(configuration, name, letter, number, **extra) -> Zone:
    zone, _ = Zone.objects.get_or_create(
        configuration=configuration, name=name,
        defaults={"block_letter": letter, "block_number": number, **extra},
    )
    return zone


def _block(zone: Zone, rows: int, seats_per_row: int, category: SeatCategory) -> int:
    if zone.seats.exists():
        return zone.seats.count()
    return services.seats_create_block(
        zone=zone, rows=rows, seats_per_row=seats_per_row, category=category
    )


def _prices(event: Event, categories: dict, tariffs: dict, grid) -> None:
    """The event's prices: for each category, its full, reduced and group amounts in cents."""
    for category, amounts in grid:
        for tariff_code, amount in zip(("PLEIN", "REDUIT", "GROUPE"), amounts, strict=True):
            Price.objects.get_or_create(
                event=event, performance=None, category=categories[category],
                tariff=tariffs[tariff_code], defaults={"amount_cents": amount},
            )


def load(*, institution: Institution, channel: SalesChannel,
         quota: ExternalQuota) -> DemoCatalog:
    tz = ZoneInfo(settings.TIME_ZONE)
    cat = {}
    for rank, name in enumerate(["Catégorie 1", "Catégorie 2", "Catégorie 3", "Fosse"], 1):
        cat[name], _ = SeatCategory.objects.get_or_create(
            institution=institution, name=name, defaults={"rank": rank}
        )
    tariffs = {}
    for code, name, audience in [
        ("PLEIN", "Plein tarif", Tariff.AudienceType.OCCASIONAL_CONTACT),
        ("REDUIT", "Tarif réduit", Tariff.AudienceType.OCCASIONAL_CONTACT),
        ("GROUPE", "Groupe", Tariff.AudienceType.OCCASIONAL_COLLECTIVITY),
    ]:
        tariffs[code], _ = Tariff.objects.get_or_create(
            institution=institution, code=code, defaults={"name": name, "audience_type": audience}
        )
    # A member tariff exists but is never priced for Ticketnet: resellers may not sell it.
    Tariff.objects.get_or_create(
        institution=institution, code="ABO",
        defaults={"name": "Abonné", "audience_type": Tariff.AudienceType.SUBSCRIBER},
    )

    # The concert hall: blocks A1, A2 (category 1), B1, B2, C1 (category 2), and the pit.
    hall, _ = Hall.objects.get_or_create(institution=institution, name="Grande Salle")
    concert_config, _ = LogicalConfiguration.objects.get_or_create(
        hall=hall, name="Concert assis-debout"
    )
    seats = 0
    for letter, number, category in [
        ("A", 1, "Catégorie 1"), ("A", 2, "Catégorie 1"),
        ("B", 1, "Catégorie 2"), ("B", 2, "Catégorie 2"), ("C", 1, "Catégorie 2"),
    ]:
        zone = _zone(concert_config, f"Bloc {letter}{number}", letter, number)
        seats += _block(zone, rows=8, seats_per_row=12, category=cat[category])
    pit = _zone(concert_config, "Fosse", "F", None, numbered=False, capacity=2500,
                category=cat["Fosse"])
    concert, _ = Event.objects.get_or_create(
        institution=institution, code=CONCERT_CODE,
        defaults={"name": "Orchestre National — Concert de printemps", "season": 2027,
                  "kind": Event.Kind.SINGLE},
    )
    concert_perf, _ = Performance.objects.get_or_create(
        event=concert, start=dt.datetime(2027, 3, 12, 20, 30, tzinfo=tz),
        defaults={"configuration": concert_config},
    )
    _prices(concert, cat, tariffs, [("Catégorie 1", (6500, 5200, 5500)),
                                    ("Catégorie 2", (4500, 3600, 3800)),
                                    ("Fosse", (3500, 2800, 3000))])

    # The stadium: 8 blocks of 15 rows × 25 seats (3000 seats), a league season of 19 games.
    stadium, _ = Hall.objects.get_or_create(institution=institution, name="Stade Municipal")
    football, _ = LogicalConfiguration.objects.get_or_create(hall=stadium, name="Football")
    stands = {"A": "Catégorie 1", "B": "Catégorie 2", "C": "Catégorie 3", "D": "Catégorie 3"}
    league_zones = []
    for letter, category in stands.items():
        for number in (1, 2):
            zone = _zone(football, f"Tribune {letter}{number}", letter, number)
            seats += _block(zone, rows=15, seats_per_row=25, category=cat[category])
            league_zones.append(zone)
    league, _ = Event.objects.get_or_create(
        institution=institution, code=LEAGUE_CODE,
        defaults={"name": "Ligue 2 — saison 2027-2028", "season": 2027,
                  "kind": Event.Kind.COMPETITION},
    )
    first = dt.datetime(2027, 8, 6, 20, 0, tzinfo=tz)
    for game in range(19):
        Performance.objects.get_or_create(
            event=league, start=first + dt.timedelta(weeks=2 * game),
            defaults={"configuration": football},
        )
    _prices(league, cat, tariffs, [("Catégorie 1", (3500, 2500, 2800)),
                                   ("Catégorie 2", (2500, 1800, 2000)),
                                   ("Catégorie 3", (1500, 1000, 1200))])

    # Ticketnet's quota: blocks B1, B2 and 500 pit places of the concert; stands C and D of
    # every game.
    concert_zones = Zone.objects.filter(configuration=concert_config, name__in=["Bloc B1",
                                                                              "Bloc B2"])
    allocations = services.quota_allocate_seats(
        performances=[concert_perf], quota=quota, zones=list(concert_zones)
    )
    services.quota_allocate_places(performances=[concert_perf], quota=quota, zones=[pit],
                                   places=500)
    allocations += services.quota_allocate_seats(
        performances=list(league.performances.all()), quota=quota,
        zones=[z for z in league_zones if z.block_letter in ("C", "D")],
    )

    profile, _ = ActivityProfile.objects.get_or_create(
        institution=institution, name="Ticketnet", defaults={"channel": channel}
    )
    profile.events.add(concert, league)
    return DemoCatalog(concert=concert, league=league, profile=profile, seats=seats,
                       seat_allocations=allocations)
