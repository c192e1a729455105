"""The gateway's `Manifestation`s of an event, built from the catalogue and the interface's
correspondences in a handful of queries, with every problem only building them finds."""

from __future__ import annotations

from collections import defaultdict

from catalog.models import Performance, Price, Seat, SeatCategory, Tariff, Zone
from mappings.models import Kind
from mappings.selectors import CorrespondenceBook, Problem
from texts import text

from .ticketnet import Manifestation, NamedCode, PerformanceSpec, PriceSpec, SeatSpec, ZoneSpec


class ManifestationBuilder:
    """Loads the event's plan once (a handful of queries whatever the number of seats) and
    builds each manifestation from it; objects without a code are left out (readiness has
    already listed them)."""

    def __init__(self, *, interface, event, book: CorrespondenceBook):
        self.interface, self.event, self.book = interface, event, book
        self.problems: list[Problem] = []
        self.performances = list(
            Performance.objects.filter(event=event).select_related("configuration")
            .order_by("start"))
        for perf in self.performances:
            perf.event = event
        config_ids = {p.configuration_id for p in self.performances}
        self.zones_by_config: dict[int, list[Zone]] = defaultdict(list)
        for zone in Zone.objects.filter(configuration__in=config_ids).order_by(
                "configuration", "block_letter", "block_number", "name"):
            self.zones_by_config[zone.configuration_id].append(zone)
        self.prices = list(Price.objects.filter(event=event))
        self._zone_specs: dict[int, tuple[ZoneSpec, ...]] = {}
        self._config_categories: dict[int, set[int]] = {}
        category_ids = {p.category_id for p in self.prices}
        category_ids |= {z.category_id for zs in self.zones_by_config.values() for z in zs
                         if z.category_id}
        self._seats: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for zone_id, row, number, category_id in (
            Seat.objects.filter(zone__configuration__in=config_ids)
            .order_by("zone_id", "row", "number")
            .values_list("zone_id", "row", "number", "category_id")
            .iterator(chunk_size=10_000)
        ):
            self._seats[zone_id].append((row, number, category_id))
            category_ids.add(category_id)
        self.categories = {c.pk: c for c in SeatCategory.objects.filter(pk__in=category_ids)}
        self.tariffs = {t.pk: t for t in Tariff.objects.filter(
            pk__in={p.tariff_id for p in self.prices})}

    def zones(self, config_id: int) -> tuple[tuple[ZoneSpec, ...], set[int]]:
        if config_id not in self._zone_specs:
            specs, categories = [], set()
            code_for = self.book.code_for
            for zone in self.zones_by_config[config_id]:
                code = code_for(Kind.ZONE, zone.pk)
                if zone.numbered:
                    rows = self._seats.get(zone.pk, [])
                    seats = []
                    for row, number, category_id in rows:
                        categories.add(category_id)
                        category_code = code_for(Kind.CATEGORY, category_id)
                        if category_code is not None:
                            seats.append(SeatSpec(row=row, number=number,
                                                  category_code=category_code))
                    if code and seats:
                        specs.append(ZoneSpec(code=code, name=zone.name, seats=tuple(seats)))
                    continue
                if not zone.category_id:
                    self.problems.append(Problem.about("zone", zone, "category", text(
                        "The non-numbered zone “%(zone)s” has no seat category: Ticketnet "
                        "sells it as a seat series of one category; choose it on the zone.",
                        zone=zone)))
                    continue
                categories.add(zone.category_id)
                category_code = code_for(Kind.CATEGORY, zone.category_id)
                if code and category_code:
                    specs.append(ZoneSpec(code=code, name=zone.name, capacity=zone.capacity,
                                          category_code=category_code))
            self._zone_specs[config_id] = tuple(specs)
            self._config_categories[config_id] = categories
        return self._zone_specs[config_id], self._config_categories[config_id]

    def price_specs(self, performance_ids: set[int], label: str) -> tuple[PriceSpec, ...]:
        """The prices of a manifestation: the event's, overridden by a performance's. A
        manifestation holds one price per category × tariff, so performances of a single
        event priced differently cannot be sent."""
        effective: dict[tuple[int, int], set[int]] = defaultdict(set)
        event_prices = {(p.category_id, p.tariff_id): p.amount_cents
                        for p in self.prices if p.performance_id is None}
        overrides = [p for p in self.prices if p.performance_id in performance_ids]
        for pid in performance_ids:
            own = {(p.category_id, p.tariff_id): p.amount_cents for p in overrides
                   if p.performance_id == pid}
            for key in event_prices.keys() | own.keys():
                effective[key].add(own.get(key, event_prices.get(key)))
        specs = []
        for (category_id, tariff_id), amounts in sorted(effective.items()):
            category, tariff = self.categories[category_id], self.tariffs[tariff_id]
            if len(amounts) > 1:
                self.problems.append(Problem.about("price", None, "amount_cents", text(
                    "“%(category)s” × “%(tariff)s” has different prices on the performances of "
                    "“%(event)s”: Ticketnet holds one price per category and tariff for a "
                    "manifestation. Give the performances the same price.",
                    category=category, tariff=tariff, event=label),
                    label=f"{category} × {tariff}"))
                continue
            category_code = self.book.code_for(Kind.CATEGORY, category_id)
            if category_code is None:
                continue
            cents = amounts.pop()
            specs.extend(PriceSpec(category_code=category_code, tariff_code=code, cents=cents)
                         for code in self.book.tariff_codes(tariff_id))
        return tuple(specs)

    def named_categories(self, category_ids: set[int]) -> tuple[NamedCode, ...]:
        out = []
        for category in sorted((self.categories[pk] for pk in category_ids),
                               key=lambda c: (c.rank, c.pk)):
            code = self.book.code_for(Kind.CATEGORY, category.pk)
            if code is None:
                self.problems.append(Problem.about("category", category, "code", text(
                    "Enter the Ticketnet code of the seat category “%(category)s”.",
                    category=category)))
                continue
            out.append(NamedCode(code=code, name=category.name))
        return tuple(out)

    def named_tariffs(self) -> tuple[NamedCode, ...]:
        # A tariff with several codes (15|20|22) is declared once per code, same name.
        return tuple(NamedCode(code=code, name=tariff.name)
                     for tariff in sorted(self.tariffs.values(), key=lambda t: t.code)
                     for code in self.book.tariff_codes(tariff.pk))

    def manifestation(self, *, code: str, performances: list[Performance],
                      performance_codes: list[str]) -> Manifestation | None:
        configs = {p.configuration_id for p in performances}
        if len(configs) > 1:
            self.problems.append(Problem.about("event", self.event, "performances", text(
                "The performances of “%(event)s” use %(n)d logical configurations: a Ticketnet "
                "manifestation has one hall. Use one configuration, or make the event a "
                "competition (one manifestation per performance).", event=self.event,
                n=len(configs))))
            return None
        config = performances[0].configuration
        hall_code = self.book.code_for(Kind.CONFIGURATION, config.pk)
        zones, category_ids = self.zones(config.pk)
        prices = self.price_specs({p.pk for p in performances}, str(self.event))
        category_ids = category_ids | {p.category_id for p in self.prices
                                       if p.performance_id is None
                                       or p.performance_id in {q.pk for q in performances}}
        categories = self.named_categories(category_ids)
        if hall_code is None or not zones:
            return None
        return Manifestation(
            code=code,
            name=self.event.name,
            hall_code=hall_code,
            performances=tuple(PerformanceSpec(code=c, start=p.start)
                               for p, c in zip(performances, performance_codes, strict=True)),
            seat_categories=categories,
            tariffs=self.named_tariffs(),
            zones=zones,
            prices=prices,
        )
